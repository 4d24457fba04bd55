// The harness reports a lesson's crash once (test/crash.ts): one failure that
// names the event, the error and what was sent, not a cascade. npm run check
// says the same in its one sentence.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'expect';

const root = path.join(__dirname, '..', '..');
const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');

interface Report {
  stats: { passes: number; pending: number; failures: number };
  failures: { fullTitle: string; err: { message: string } }[];
}

describe('the test harness, when a lesson crashes', function () {
  this.timeout(30_000);

  it('fails the test that made it crash, once, naming the event and the error, and skips the rest of its block', async () => {
    // Mocha exits 1 when a test fails: the report is what counts.
    const ran = await promisify(execFile)(process.execPath, [mocha, 'test/fixtures/lesson-crash.ts', '--reporter', 'json'], { cwd: root }).catch(
      (err: { stdout: string }) => err,
    );
    const report = JSON.parse(ran.stdout.slice(ran.stdout.indexOf('{'))) as Report;
    expect(report.failures.map((failure) => [failure.fullTitle, failure.err.message])).toEqual([
      [
        '03 acknowledgements, with a handler that trusts its input refuses a number',
        expect.stringContaining('the server crashed: its "shout" handler threw TypeError: text.toUpperCase is not a function when sent [42]'),
      ],
    ]);
    // The good shout before it, and the other block with its own server.
    expect(report.stats).toMatchObject({ passes: 2, pending: 2, failures: 1 });
  });

  it('npm run check: the check fails with one sentence naming the handler, the error and what was sent', async () => {
    const ran = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register', 'test/fixtures/check-crash.ts'], { cwd: root });
    expect(JSON.parse(ran.stdout)).toBe(
      'the server crashed: its "shoutAll" handler threw TypeError: text.toUpperCase is not a function when sent [["fine",42]]',
    );
  });
});
