// npm test [-- --without-browser] [mocha options]
// Checks the types and runs every test, two parts at a time, one for each of
// the machine's two cores: much of a run is waiting (for sockets, for
// Chromium, for the processes that lesson 13 and the workbook tests start),
// so one part's waits are the other's time to run. Each part is one process,
// in this order, the next one starting as soon as a core is free and what it
// waits for is done:
//   the robustness tests in two halves (the attacks on every lesson's target,
//   test/robustness/targets.ts; the attacks on one lesson of their own), the
//   type check (tsc, incremental: a second run checks only what changed),
//   lesson 13's tests (its workers), the browser tests in two halves (lessons
//   01-09, 10-14), the workbook's own tests (npm start, check, diff), the
//   other lessons' tests and the shared modules' tests.
// The robustness tests bound a bystander's answer at 1 s, and Chromium beside
// them on two cores made them miss (mocha --parallel did that): the browser
// tests start once both halves are done.
// Output comes part by part, in that order, never mixed: the first part still
// running prints as it goes, the others wait their turn.
// --without-browser leaves out the browser tests (CI runs those once, on one
// Node version). Anything else goes to every mocha run (say --bail, or -g).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const withBrowser = !args.includes('--without-browser');
const mochaArgs = args.filter((arg) => arg !== '--without-browser');
const bin = (...parts: string[]) => path.join(root, 'node_modules', ...parts);
const mocha = (...files: string[]) => [bin('mocha', 'bin', 'mocha.js'), ...files, ...mochaArgs];

interface Part {
  label: string;
  args: string[];
  /** What it printed before its turn to print. */
  held: Buffer[];
  live: boolean;
  done?: Promise<boolean>;
  finished?: boolean;
  /** Parts that must have finished before this one starts. */
  after?: Part[];
  output: string;
  /** When it started and ended, in ms since npm test started. */
  began?: number;
  ended?: number;
}

const part = (label: string, partArgs: string[]): Part => ({ label, args: partArgs, held: [], live: false, output: '' });

/** Every test file, as mocha names them: test/lessons/01-date-notifier.test.ts. */
const testFiles = (function walk(folder: string): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(`${folder}/${entry.name}`) : entry.name.endsWith('.test.ts') ? [`${folder}/${entry.name}`] : [],
  );
})('test').sort();
const taken = new Set<string>();
/** The test files that match and that no earlier part took. */
const take = (match: RegExp) => testFiles.filter((file) => match.test(file) && !taken.has(file) && taken.add(file));

/** Files that import test/robustness/targets.ts: the attacks every lesson's target faces. */
const onEveryTarget = (file: string) => /from '\.\/targets'/.test(readFileSync(path.join(root, file), 'utf8'));
const robustness = take(/^test\/robustness\//);
const robustnessParts = [
  part('the robustness tests on every lesson', mocha(...robustness.filter(onEveryTarget))),
  part("the robustness tests of single lessons", mocha(...robustness.filter((file) => !onEveryTarget(file)))),
];
const parts: Part[] = [
  ...robustnessParts,
  part('the type check', [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', path.join(root, '.workbook', 'typecheck.tsbuildinfo')]),
  part("lesson 13's tests", mocha(...take(/^test\/lessons\/13-/))),
];
const browserTests = take(/^test\/browser\//);
if (withBrowser) {
  parts.push(
    { ...part('the browser tests of lessons 01-09', mocha(...browserTests.filter((file) => /\/0\d-/.test(file)))), after: robustnessParts },
    { ...part('the browser tests of lessons 10-14', mocha(...browserTests.filter((file) => !/\/0\d-/.test(file)))), after: robustnessParts },
  );
}
parts.push(
  part("the workbook's tests", mocha(...take(/^test\/workbook\//))),
  // The rest: the other lessons' tests, the shared modules' tests, and any new folder's.
  part("the other lessons' tests and the unit tests", mocha(...take(/./))),
);
// (A part whose files are all gone, or left out, is no part.)
const typeCheck = parts[robustnessParts.length];
const toRun = parts.filter((one) => one === typeCheck || one.args.some((arg) => arg.startsWith('test/')));
const children = new Set<ReturnType<typeof spawn>>();

const startedAt = Date.now();
/** How many parts run at once (TEST_LANES; two by default, one for each of two cores). */
const lanes = Number(process.env.TEST_LANES) || 2;

function start(one: Part): Promise<boolean> {
  one.began = Date.now() - startedAt;
  return new Promise((resolve) => {
    // Colours as a terminal would show them, though the output goes through a pipe.
    const env = { ...process.env, ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}) };
    const child = spawn(process.execPath, one.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    children.add(child);
    const out = (chunk: Buffer) => {
      one.output += chunk.toString();
      if (one.live) process.stdout.write(chunk);
      else one.held.push(chunk);
    };
    child.stdout!.on('data', out);
    child.stderr!.on('data', out);
    child.on('close', (code, signal) => {
      one.ended = Date.now() - startedAt;
      children.delete(child);
      resolve(code === 0 && signal === null);
    });
  });
}

/** Mocha's count of `what` ("passing", "failing", "pending") in a part's output. */
const count = (one: Part, what: string) => Number(one.output.match(new RegExp(`(\\d+) ${what}`))?.[1] ?? 0);

async function main(): Promise<void> {
  const started = Date.now();
  // Two at a time: when a part ends, the first one waiting that may start starts.
  const waiting = [...toRun];
  const mayStart = (one: Part) => (one.after ?? []).every((other) => other.finished || !toRun.includes(other));
  const slot = async () => {
    while (waiting.length) {
      const one = waiting.find(mayStart);
      if (!one) {
        await Promise.race(toRun.filter((other) => other.done && !other.finished).map((other) => other.done));
        continue;
      }
      waiting.splice(waiting.indexOf(one), 1);
      await (one.done = start(one).finally(() => (one.finished = true)));
    }
  };
  const slots = Array.from({ length: lanes }, slot);
  // Part by part, in order: each prints what it held, then the rest as it comes.
  const failed: string[] = [];
  for (const one of toRun) {
    while (!one.done) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const chunk of one.held.splice(0)) process.stdout.write(chunk);
    one.live = true;
    if (!(await one.done)) failed.push(one.label);
  }
  await Promise.all(slots);
  const tests = toRun.filter((one) => one !== typeCheck);
  const sum = (what: string) => tests.reduce((total, one) => total + count(one, what), 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  // When each part ran: where the time went, for docs/tests.md.
  const at = (ms = 0) => (ms / 1000).toFixed(0).padStart(3);
  console.log('\nThe parts (seconds from the start):');
  for (const one of toRun) console.log(`  ${at(one.began)} to ${at(one.ended)}  ${one.label}`);
  console.log(`\nnpm test, in ${seconds} s: the type check ${failed.includes(typeCheck.label) ? 'failed' : 'passed'}${withBrowser ? '' : ' (browser tests left out)'}.`);
  if (failed.length) console.log(`Failed: ${failed.join(', ')}.`);
  // The plain closing line: how many tests passed and failed, in all the parts.
  console.log(`${sum('passing')} passed, ${sum('failing')} failed${sum('pending') ? `, ${sum('pending')} skipped` : ''}`);
  process.exitCode = failed.length ? 1 : 0;
}

// Ctrl-C reaches the children too (one process group): they stop cleanly, then so does this.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {
  for (const child of children) child.kill('SIGTERM');
});

void main();
