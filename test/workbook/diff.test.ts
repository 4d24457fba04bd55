// npm run diff -- NN: the code that changed since the lesson before.
import path from 'node:path';
import { expect } from 'expect';
import { diffCommand } from '../../scripts/diff';
import { root, runScript } from './programs';

const diff = path.join(root, 'scripts', 'diff.ts');

describe('npm run diff', function () {
  this.timeout(20_000);

  it('-- 10 shows what changed since lesson 09 in server.ts and the pages, without READMEs or screenshots', async () => {
    const program = runScript(diff, ['10']);
    expect(await program.exited).toBe(0);
    const files = [...program.output().matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].map(([, a, b]) => `${a} → ${b}`);
    expect(files).toEqual(
      expect.arrayContaining([
        'lessons/09-rooms/server.ts → lessons/10-users/server.ts',
        'lessons/09-rooms/public/app.ts → lessons/10-users/public/app.ts',
        'lessons/09-rooms/public/chat.html → lessons/10-users/public/chat.html',
      ]),
    );
    expect(files.filter((file) => /README|screenshot/.test(file))).toEqual([]);
    expect(program.output()).toContain('+import { Users');
    expect(program.output()).toContain('Lesson 10 also imports shared/users.ts, which lesson 09 did not');
    expect(program.output()).not.toContain('\x1b['); // no terminal: no colour
  });

  it('colours it for a terminal', () => {
    expect(diffCommand(['10'], true)).toMatch(/\x1b\[32m\+/); // added lines in green
  });

  it('says so for the first lesson, and names the lessons there are for a wrong one', () => {
    expect(diffCommand(['01'], false)).toContain('Lesson 01 is the first: there is nothing before it to compare it with.');
    expect(() => diffCommand(['99'], false)).toThrow('There is no lesson "99". Try a number from 01 to');
    expect(diffCommand(['05', '09'], false)).toContain('From lesson 05 (Chat) to lesson 09 (Rooms)');
  });

  it('-- 12 compares with lesson 10, the chat it builds on, not lesson 11 (the Pi)', () => {
    const output = diffCommand(['12'], false);
    expect(output).toContain('From lesson 10 (Users) to lesson 12');
    expect(output).toContain('diff --git a/lessons/10-users/server.ts b/lessons/12-delivery/server.ts');
    expect(diffCommand(['13'], false)).toContain('From lesson 12 (Delivery) to lesson 13');
  });
});
