// Preloaded into every server the bench starts (`node -r ./bench/guard.js ...`).
// The bench holds the other end of this process's stdin. If the bench ends in
// any way, even killed with SIGKILL, that pipe closes and the server stops:
// no server outlives the bench. (Costs well under a millisecond of start time,
// and the floor pays it too.)
'use strict';
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  console.error('bench/guard.js: the bench is gone (stdin closed); stopping');
  process.kill(process.pid, 'SIGTERM'); // the lessons' (and bare server's) own clean stop
  setTimeout(() => process.exit(1), 3000).unref();
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
