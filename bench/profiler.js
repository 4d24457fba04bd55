// Preloaded into the classroom's servers by `npm run bench -- --profile-servers`
// (node -r ./bench/profiler.js ...). The first SIGUSR2 starts V8's CPU
// profiler; the second stops it and writes the profile to
// $BENCH_PROFILE_FILE. So the profile covers the chat rounds only, not
// start-up, connections or joins.
'use strict';
const { Session } = require('node:inspector');
const { renameSync, writeFileSync } = require('node:fs');

const file = process.env.BENCH_PROFILE_FILE;
const session = new Session();
session.connect();
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) console.error(`profiler: ${err.message}`);
    else {
      writeFileSync(`${file}.part`, JSON.stringify(result.profile));
      renameSync(`${file}.part`, file); // the bench waits for the whole file
    }
  });
});
