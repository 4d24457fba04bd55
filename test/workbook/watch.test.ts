// Both watches, `npm start -- 03 --watch` and `npm run check -- 03.2 --watch`,
// side by side in a scratch copy of the workbook (a git repository of its
// own), hear every kind of save an editor or a learner's command makes, one
// after another, and ignore what is not code.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'expect';
import { scratchCopy, type Scratch } from '../../scripts/scratch';
import { runScript, type Program } from './programs';

const lesson = path.join('lessons', '03-acknowledgements');

describe('the watches (npm start -- 03 --watch, npm run check -- 03.2 --watch)', function () {
  this.timeout(180_000); // 76 s at load 18 on 2 cores; each wait has its own limit

  let scratch: Scratch;
  let start: Program | undefined;
  let check: Program | undefined;
  const file = (name: string) => path.join(scratch.dir, lesson, name);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: scratch.dir,
      env: { ...process.env, GIT_AUTHOR_NAME: 'Learner', GIT_AUTHOR_EMAIL: 'learner@example.com', GIT_COMMITTER_NAME: 'Learner', GIT_COMMITTER_EMAIL: 'learner@example.com' },
      encoding: 'utf8',
    });

  before(async () => {
    scratch = scratchCopy(['03-acknowledgements'], { tests: true });
    writeFileSync(path.join(scratch.dir, '.gitignore'), 'node_modules\n.workbook/\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'the workbook as it ships');
    start = runScript(path.join(scratch.dir, 'scripts', 'start.ts'), ['03', '--watch'], { cwd: scratch.dir });
    check = runScript(path.join(scratch.dir, 'scripts', 'check.ts'), ['03.2', '--watch'], { cwd: scratch.dir });
    await start.waitFor(/watching lessons\/03-acknowledgements and shared/, 30_000);
    await check.waitFor(/watching lessons\/03-acknowledgements, shared, test\/checks: save a file to check again/, 30_000);
  });
  after(async () => {
    await Promise.all([start?.stop(), check?.stop()]);
    scratch?.remove();
  });

  /** Does `save`, then waits until the lesson has restarted and the check has run again; resolves with the check's verdict. */
  async function heard(save: () => unknown): Promise<string> {
    const [fromStart, fromCheck] = [start!.output().length, check!.output().length];
    save();
    const restarted = await start!.waitFor(/^lessons\/03-acknowledgements\/\S+ changed( \(and \d+ more\))?: restarting lesson 03$/m, 10_000, fromStart);
    await start!.waitFor(/listening on http/, 20_000, restarted.end);
    const rerun = await check!.waitFor(/^(lessons\/03-acknowledgements|test\/checks)\/\S+ changed/m, 10_000, fromCheck);
    const verdict = await check!.waitFor(/^ {2}([✓✗]) 03\.2 /m, 20_000, rerun.end);
    await check!.waitFor(/save a file to check again/, 10_000, verdict.end);
    await new Promise((resolve) => setTimeout(resolve, 300)); // any second run of the same save comes now, not in the next step
    return verdict[1];
  }

  const inPlace = (n: number) => () => appendFileSync(file('server.ts'), `\n// save ${n}, in place\n`);

  it('hears every kind of save, each time: in place, a temporary file renamed over, delete and create, git stash and pop, npm run solution --apply', async () => {
    // An editor's "atomic" save: the new text goes to a temporary file, renamed over the old one.
    expect(
      await heard(() => {
        writeFileSync(file('server.ts.tmp'), `${readFileSync(file('server.ts'), 'utf8')}\n// save 1, renamed over\n`);
        renameSync(file('server.ts.tmp'), file('server.ts'));
      }),
    ).toBe('✗');
    expect(await heard(inPlace(2))).toBe('✗'); // Node 20's fs.watch(dir, { recursive: true }) heard nothing from here on
    expect(
      await heard(() => {
        const text = readFileSync(file('server.ts'), 'utf8');
        unlinkSync(file('server.ts'));
        writeFileSync(file('server.ts'), `${text}\n// save 3, deleted and created\n`);
      }),
    ).toBe('✗');
    expect(await heard(() => git('stash', '-q'))).toBe('✗');
    expect(await heard(() => git('stash', 'pop', '-q'))).toBe('✗');
    expect(await heard(() => git('checkout', '--', lesson))).toBe('✗'); // the lesson as it ships, for the solution to apply
    let solution: Program | undefined;
    expect(await heard(() => (solution = runScript(path.join(scratch.dir, 'scripts', 'solution.ts'), ['03.2', '--apply'], { cwd: scratch.dir })))).toBe('✓');
    expect(await solution!.exited).toBe(0);
    expect(await heard(inPlace(4))).toBe('✓');
  });

  it('ignores what is not code: the lesson’s data/ (its database), logs, READMEs, editors’ own files', async () => {
    const [fromStart, fromCheck] = [start!.output().length, check!.output().length];
    mkdirSync(file('data'), { recursive: true });
    writeFileSync(file('data/chat.db-wal'), 'a message');
    writeFileSync(file('data/notes.json'), '{}');
    writeFileSync(file('server.log'), 'a line');
    appendFileSync(file('README.md'), '\nA note of mine.\n');
    writeFileSync(file('.server.ts.swp'), 'vim');
    writeFileSync(file('server.ts~'), 'a backup');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(start!.output().slice(fromStart)).toBe('');
    expect(check!.output().slice(fromCheck)).toBe('');
    expect(await heard(inPlace(5))).toBe('✓'); // still listening
  });
});
