// npm start: the lesson list with progress, the first lesson not finished,
// and --watch, run as a learner runs them.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import { listLessons } from '../../scripts/lessons';
import { checkedExercises } from '../../scripts/progress';
import { scratchCopy, type Scratch } from '../../scripts/scratch';
import { kindOfChange } from '../../scripts/saves';
import { loadChecks } from '../checks/run-checks';
import { root, runScript, type Program } from './programs';

const start = path.join(root, 'scripts', 'start.ts');

describe('npm start', function () {
  this.timeout(30_000);
  let dir: string;
  const progressFile = () => path.join(dir, 'progress.json');
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'progress-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--list, on a fresh progress file, lists every lesson at 0 of its checked exercises, and starts none', async () => {
    const program = runScript(start, ['--list'], { env: { WORKBOOK_PROGRESS: progressFile() } });
    expect(await program.exited).toBe(0);
    const lines = program.output().split('\n');
    for (const lesson of listLessons()) {
      const line = lines.find((text) => text.startsWith(`  ${lesson.number}  ${lesson.title} `));
      expect({ lesson: lesson.number, line }).toEqual({ lesson: lesson.number, line: expect.stringContaining(` 0/${checkedExercises(lesson).length} `) });
    }
    expect(program.output()).toContain('npm start runs lesson 01, the first not finished');
    expect(program.output()).not.toContain('listening on');
  });

  it('counts the checks that passed at the latest npm run check, and goes on to the first lesson not finished', async () => {
    const [first, second] = listLessons();
    const passed = { passed: true, checkedAt: new Date().toISOString() };
    const failed = { ...passed, passed: false };
    const [one, two] = checkedExercises(second);
    // All of lesson 01; of 02, one passed and one failed.
    writeFileSync(progressFile(), JSON.stringify({ ...Object.fromEntries(checkedExercises(first).map((id) => [id, passed])), [one]: passed, [two]: failed }));
    const program = runScript(start, ['--list'], { env: { WORKBOOK_PROGRESS: progressFile() } });
    expect(await program.exited).toBe(0);
    const total = (lesson: typeof first) => checkedExercises(lesson).length;
    expect(program.output()).toMatch(new RegExp(`^  01  ${first.title} +${total(first)}/${total(first)} ✓`, 'm'));
    expect(program.output()).toMatch(new RegExp(`^  02  ${second.title} +1/${total(second)} `, 'm'));
    expect(program.output()).toContain('npm start runs lesson 02, the first not finished');
  });

  it('with no argument, on a fresh progress file, starts lesson 01', async () => {
    rmSync(progressFile(), { force: true });
    const program = runScript(start, [], { env: { WORKBOOK_PROGRESS: progressFile() } });
    try {
      await program.waitFor(/Starting lesson 01, the first not finished/);
      await program.waitFor(/^Lesson 01: Date notifier\nlistening on http:\/\/\S+/m);
    } finally {
      await program.stop();
    }
  });

  it('reads the same checked exercises as the checks themselves', () => {
    for (const lesson of listLessons()) {
      const ids = loadChecks(`${lesson.number}-${lesson.slug}`)?.exercises.map((exercise) => exercise.id) ?? [];
      expect({ lesson: lesson.number, ids: checkedExercises(lesson) }).toEqual({ lesson: lesson.number, ids });
    }
  });
});

describe('npm start -- 05 --watch', function () {
  this.timeout(60_000);

  it('restarts for server code, asks for a reload for page files, and ignores the rest', () => {
    const kinds = Object.fromEntries(
      [
        'lessons/05-chat/server.ts',
        'lessons/05-chat/events.ts',
        'shared/validation.ts',
        'lessons/05-chat/public/app.ts',
        'lessons/05-chat/public/index.html',
        'shared/public/chat-view.ts',
        'lessons/05-chat/README.md',
        'lessons/05-chat/screenshot.png',
        'lessons/05-chat/.server.ts.swp',
        'lessons/05-chat/server.ts~',
        'lessons/05-chat/4913',
        'lessons/12-delivery/data/chat.db-wal',
        'lessons/12-delivery/data/notes.json',
        'lessons/05-chat/node_modules/x/index.js',
      ].map((file) => [file, kindOfChange(file)]),
    );
    expect(kinds).toEqual({
      'lessons/05-chat/server.ts': 'restart',
      'lessons/05-chat/events.ts': 'restart',
      'shared/validation.ts': 'restart',
      'lessons/05-chat/public/app.ts': 'reload',
      'lessons/05-chat/public/index.html': 'reload',
      'shared/public/chat-view.ts': 'reload',
      'lessons/05-chat/README.md': 'none',
      'lessons/05-chat/screenshot.png': 'none',
      'lessons/05-chat/.server.ts.swp': 'none',
      'lessons/05-chat/server.ts~': 'none',
      'lessons/05-chat/4913': 'none',
      'lessons/12-delivery/data/chat.db-wal': 'none',
      'lessons/12-delivery/data/notes.json': 'none',
      'lessons/05-chat/node_modules/x/index.js': 'none',
    });
  });

  let scratch: Scratch;
  let program: Program;
  const server = () => path.join(scratch.dir, 'lessons', '05-chat', 'server.ts');
  const answers = (url: string) => fetch(url).then((response) => response.ok, () => false);

  before(() => {
    scratch = scratchCopy(['05-chat']);
  });
  after(async () => {
    await program?.stop();
    scratch?.remove();
  });

  it('restarts the lesson on a save of its server.ts, a syntax error included, and not on a save of its page', async () => {
    program = runScript(path.join(scratch.dir, 'scripts', 'start.ts'), ['05', '--watch'], { cwd: scratch.dir });
    const first = await program.waitFor(/listening on (http:\/\/\S+)/, 20_000);
    await program.waitFor(/watching lessons\/05-chat and shared/, 5000, first.end);

    // A save: one line that names the file, then the lesson again, afresh.
    const code = readFileSync(server(), 'utf8');
    appendFileSync(server(), '\n// saved\n');
    const changed = await program.waitFor(/^lessons\/05-chat\/server\.ts changed: restarting lesson 05$/m, 10_000, first.end);
    const second = await program.waitFor(/listening on (http:\/\/\S+)/, 20_000, changed.end);
    expect(await answers(second[1])).toBe(true);
    expect(await answers(first[1])).toBe(false); // the old process is gone, and its port with it

    // A syntax error is reported, and the watcher waits for the next save.
    writeFileSync(server(), `${code}\nsyntax error (\n`);
    const broken = await program.waitFor(/lesson 05 did not start: fix what it says above and save again/, 20_000, second.end);
    expect(program.output().slice(second.end, broken.end)).toContain('lessons/05-chat/server.ts does not load');
    writeFileSync(server(), code);
    const third = await program.waitFor(/listening on (http:\/\/\S+)/, 20_000, broken.end);
    expect(await answers(third[1])).toBe(true);

    // A page's file needs only a reload: no restart.
    appendFileSync(path.join(scratch.dir, 'lessons', '05-chat', 'public', 'app.ts'), '\n// saved\n');
    const reload = await program.waitFor(/^lessons\/05-chat\/public\/app\.ts changed: reload the page to see it/m, 10_000, third.end);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(program.output().slice(reload.end)).not.toContain('listening on');
    expect(await answers(third[1])).toBe(true);

    // Ctrl-C's twin ends the watcher and the lesson with it.
    await program.stop();
    expect(program.child.exitCode).toBe(0);
    expect(await answers(third[1])).toBe(false);
  });
});
