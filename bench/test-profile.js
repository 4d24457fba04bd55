// A mocha reporter for profiling the tests: mocha's usual output, then, at the
// end, each test file's wall time and CPU time (user + sys of the whole process
// tree: mocha, Chromium, the lessons' workers, read from /proc, Linux only),
// the slowest tests and the slowest hooks. See docs/tests.md.
//   npx mocha "test/**/*.test.ts" --reporter ./bench/test-profile.js
//   PROFILE_OUT=profile.txt ...   writes the profile to a file instead.
// CPU time of processes that end and are not waited for by their parent (some
// of Chromium's) is not counted: read the per-file figures as a lower bound.
// (Plain JavaScript: mocha loads a reporter before ts-node is registered.)
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_END, EVENT_HOOK_BEGIN, EVENT_HOOK_END, EVENT_RUN_END } = Mocha.Runner.constants;
const TICKS_PER_SECOND = 100; // the unit of /proc/PID/stat's times on Linux

/** CPU seconds used so far by this process and every process under it (and the children they waited for). */
function treeCpu() {
  const processes = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      processes.set(Number(name), { parent: Number(fields[1]), seconds: ticks / TICKS_PER_SECOND });
    } catch {
      // it ended while we looked
    }
  }
  let total = 0;
  const todo = [process.pid];
  while (todo.length) {
    const pid = todo.pop();
    total += processes.get(pid)?.seconds ?? 0;
    for (const [child, { parent }] of processes) if (parent === pid) todo.push(child);
  }
  return total;
}

const seconds = (ms) => (ms / 1000).toFixed(1).padStart(6);

class TestProfile extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const files = new Map(); // file -> { wall, cpu, tests }
    const tests = [];
    const hooks = [];
    let current; // the top-level block running now: { file, began, cpu }
    let hookBegan = 0;
    const began = Date.now();
    const cpuBefore = treeCpu();
    const isTopLevel = (suite) => suite.file && suite.parent && suite.parent.root;

    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (isTopLevel(suite)) current = { file: suite.file, began: Date.now(), cpu: treeCpu() };
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      if (!isTopLevel(suite) || !current) return;
      const file = suite.file.replace(/.*\/test\//, 'test/');
      const sum = files.get(file) ?? { wall: 0, cpu: 0, tests: 0 };
      sum.wall += Date.now() - current.began;
      sum.cpu += treeCpu() - current.cpu;
      files.set(file, sum);
      current = undefined;
    });
    runner.on(EVENT_TEST_END, (test) => {
      tests.push({ title: test.fullTitle(), ms: test.duration ?? 0 });
      const file = test.file?.replace(/.*\/test\//, 'test/');
      if (file) files.set(file, { ...(files.get(file) ?? { wall: 0, cpu: 0, tests: 0 }), tests: (files.get(file)?.tests ?? 0) + 1 });
    });
    runner.on(EVENT_HOOK_BEGIN, () => {
      hookBegan = Date.now();
    });
    runner.on(EVENT_HOOK_END, (hook) => {
      hooks.push({ title: hook.fullTitle(), ms: Date.now() - hookBegan });
    });
    runner.once(EVENT_RUN_END, () => {
      const lines = [`in all: ${seconds(Date.now() - began)} s wall, ${seconds((treeCpu() - cpuBefore) * 1000)} s CPU, ${tests.length} tests`, '', 'by file (wall, CPU, tests):'];
      for (const [file, sum] of [...files].sort((a, b) => b[1].wall - a[1].wall)) {
        lines.push(`${seconds(sum.wall)} s ${seconds(sum.cpu * 1000)} s ${String(sum.tests).padStart(4)}  ${file}`);
      }
      lines.push('', 'slowest tests:');
      for (const test of tests.sort((a, b) => b.ms - a.ms).slice(0, 30)) lines.push(`${seconds(test.ms)} s  ${test.title}`);
      lines.push('', 'slowest hooks:');
      for (const hook of hooks.sort((a, b) => b.ms - a.ms).slice(0, 10)) lines.push(`${seconds(hook.ms)} s  ${hook.title}`);
      if (process.env.PROFILE_OUT) fs.writeFileSync(process.env.PROFILE_OUT, `${lines.join('\n')}\n`);
      else process.stdout.write(`\n${lines.join('\n')}\n`);
    });
  }
}

module.exports = TestProfile;
