// npm run diff -- NN: the code that changed since the lesson before.
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'expect';
import { diffCommand } from '../../scripts/diff';
import { scratchCopy } from '../../scripts/scratch';
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

  it('-- 12 leaves out what git ignores (the database lesson 12 writes in data/ once it has run), not a file of yours', async () => {
    const scratch = scratchCopy(['10-users', '12-delivery']);
    try {
      copyFileSync(path.join(root, '.gitignore'), path.join(scratch.dir, '.gitignore'));
      execFileSync('git', ['init', '-q'], { cwd: scratch.dir });
      const data = path.join(scratch.dir, 'lessons', '12-delivery', 'data');
      for (const name of ['chat.db', 'chat.db-wal', 'chat.db-shm']) writeFileSync(path.join(data, name), 'SQLite format 3');
      writeFileSync(path.join(scratch.dir, 'lessons', '12-delivery', 'server.log'), 'a log line');
      writeFileSync(path.join(scratch.dir, 'lessons', '12-delivery', 'notes.ts'), '// mine, not ignored\n');
      const program = runScript(path.join(scratch.dir, 'scripts', 'diff.ts'), ['12'], { cwd: scratch.dir });
      expect(await program.exited).toBe(0);
      const files = [...program.output().matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].map(([, , b]) => b);
      expect(files).toContain('lessons/12-delivery/notes.ts');
      expect(files).toContain('lessons/12-delivery/data/.gitignore'); // the one file of data/ that git keeps
      expect(files.filter((file) => /chat\.db|\.log$/.test(file))).toEqual([]);
    } finally {
      scratch.remove();
    }
  });
});
