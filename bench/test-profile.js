// A mocha reporter: spec output, then per-file wall and CPU (whole process tree, from /proc).
const Mocha = require('mocha');
const fs = require('fs');
const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_END, EVENT_RUN_END, EVENT_HOOK_END, EVENT_HOOK_BEGIN } = Mocha.Runner.constants;
const HZ = 100;
function treeCpu() {
  const kids = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try { const s = fs.readFileSync(`/proc/${name}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      const ppid = +f[1]; const cpu = (+f[11] + +f[12] + +f[13] + +f[14]) / HZ;
      kids.set(+name, { ppid, cpu }); } catch {}
  }
  let total = 0; const stack = [process.pid];
  while (stack.length) { const p = stack.pop(); const k = kids.get(p); if (k) total += k.cpu; for (const [pid, v] of kids) if (v.ppid === p) stack.push(pid); }
  return total;
}
class R extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const files = []; let cur; const tests = []; const hooks = [];
    const t0 = Date.now(); const c0 = treeCpu();
    runner.on(EVENT_SUITE_BEGIN, (s) => { if (s.file && s.parent && s.parent.root) { if (!cur || cur.file !== s.file) { cur = { file: s.file, start: Date.now(), cpu: treeCpu(), tests: 0 }; files.push(cur); } } });
    runner.on(EVENT_SUITE_END, (s) => { if (cur && s.file === cur.file && s.parent && s.parent.root) { cur.wall = Date.now() - cur.start; cur.cpuUsed = treeCpu() - cur.cpu; } });
    runner.on(EVENT_TEST_END, (t) => { tests.push({ title: t.fullTitle(), ms: t.duration || 0, file: t.file }); if (cur) cur.tests++; });
    let hs; runner.on(EVENT_HOOK_BEGIN, () => { hs = Date.now(); });
    runner.on(EVENT_HOOK_END, (h) => { hooks.push({ title: h.fullTitle(), ms: Date.now() - hs }); });
    runner.once(EVENT_RUN_END, () => {
      const out = [];
      out.push(`TOTAL wall ${((Date.now() - t0) / 1000).toFixed(1)} s cpu ${(treeCpu() - c0).toFixed(1)} s tests ${tests.length}`);
      const by = {};
      for (const f of files) { const k = f.file.replace(/.*\/test\//, ''); by[k] ??= { wall: 0, cpu: 0, tests: 0 }; by[k].wall += f.wall || 0; by[k].cpu += f.cpuUsed || 0; by[k].tests += f.tests; }
      for (const [k, v] of Object.entries(by).sort((a, b) => b[1].wall - a[1].wall)) out.push(`FILE ${(v.wall / 1000).toFixed(1).padStart(6)} s wall ${v.cpu.toFixed(1).padStart(6)} s cpu ${String(v.tests).padStart(4)} tests  ${k}`);
      for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, 60)) out.push(`TEST ${(t.ms / 1000).toFixed(2).padStart(6)} s  ${t.title}`);
      for (const h of hooks.sort((a, b) => b.ms - a.ms).slice(0, 30)) out.push(`HOOK ${(h.ms / 1000).toFixed(2).padStart(6)} s  ${h.title}`);
      fs.writeFileSync(process.env.PROFILE_OUT || '/tmp/speed/profile.txt', out.join('\n') + '\n');
    });
  }
}
module.exports = R;
