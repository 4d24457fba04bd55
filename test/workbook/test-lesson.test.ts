// npm run test:lesson -- NN, and the naming it relies on: every lesson,
// browser and robustness test's full title starts with its lesson's number
// (a block titled otherwise, as "robustness: 10-users …" was, is left out).
import path from 'node:path';
import { expect } from 'expect';
import { root, runScript } from './programs';

interface DryRun {
  tests: { fullTitle: string; file: string }[];
}

const dryRun = (program: ReturnType<typeof runScript>): DryRun => JSON.parse(program.output().slice(program.output().indexOf('{')));

describe('npm run test:lesson', function () {
  this.timeout(30_000);

  it('-- 10 runs lesson 10’s lesson, browser and robustness tests, and no other', async () => {
    const program = runScript(path.join(root, 'scripts', 'test-lesson.ts'), ['10', '--dry-run', '--reporter', 'json']);
    expect(await program.exited).toBe(0);
    const { tests } = dryRun(program);
    const kinds = new Set(tests.map((test) => path.relative(root, test.file).split('/')[1]));
    expect([...kinds].sort()).toEqual(['browser', 'lessons', 'robustness']);
    expect(tests.filter((test) => !test.fullTitle.startsWith('10 '))).toEqual([]);
  });
});
