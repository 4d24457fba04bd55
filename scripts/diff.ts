// npm run diff -- NN, or npm run diff -- MM NN, or npm run diff -- --sizes
// Shows the code that changed from the lesson before to lesson NN (from lesson
// 10 for lesson 12, which builds on it), or from lesson MM to NN: `git diff
// --no-index` of the two folders, file by file, without READMEs and
// screenshots. Coloured when it prints to a terminal (NO_COLOR turns that off,
// FORCE_COLOR on). Then names the shared/ modules lesson NN imports that the
// other did not: read those too. --sizes prints, for every lesson, how many
// lines its step adds and removes, and where its connection handler starts.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findLesson, listLessons, type LessonInfo } from './lessons';

const root = path.join(__dirname, '..');
/** Not code: what the READMEs explain and show. */
const SKIPPED = new Set(['README.md', 'screenshot.png']);

/**
 * Every file of a lesson folder, relative to it, but the README, the
 * screenshot, and what git ignores (a lesson's data/: lesson 12's database,
 * once it has run).
 */
export function lessonFiles(lesson: LessonInfo): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(lesson.folder, dir), { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (!SKIPPED.has(file)) files.push(file);
    }
  };
  walk('');
  const ignored = ignoredByGit(files.map((file) => path.relative(root, path.join(lesson.folder, file))));
  return files.filter((file) => !ignored.has(path.relative(root, path.join(lesson.folder, file)))).sort();
}

/** Of `files` (paths from the top folder), those git ignores: `git check-ignore`. None outside a git repository. */
export function ignoredByGit(files: string[]): Set<string> {
  if (files.length === 0) return new Set();
  const check = spawnSync('git', ['check-ignore', '--stdin', '-z'], { cwd: root, input: files.join('\0'), encoding: 'utf8' });
  // Exit code 0: some are ignored; 1: none is; 128: not a git repository (a downloaded copy), so none is.
  if (check.status !== 0) return new Set();
  return new Set(check.stdout.split('\0').filter(Boolean));
}

/** The shared/ modules a lesson's files import ("shared/users.ts"). */
export function sharedImports(lesson: LessonInfo): Set<string> {
  const found = new Set<string>();
  for (const file of lessonFiles(lesson).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(path.join(lesson.folder, file), 'utf8');
    for (const [, target] of source.matchAll(/(?:from |require\(|import\()'(\.\.\/[^']+)'/g)) {
      const resolved = path.relative(root, path.join(lesson.folder, path.dirname(file), target)).replace(/\.js$/, '');
      if (resolved.startsWith(`shared${path.sep}`)) found.add(`${resolved}.ts`);
    }
  }
  return found;
}

/** The diff from `from` to `to`, coloured or not. */
export function lessonDiff(from: LessonInfo, to: LessonInfo, color: boolean): string {
  const rel = (lesson: LessonInfo, file: string) => path.relative(root, path.join(lesson.folder, file));
  const before = new Set(lessonFiles(from));
  const after = new Set(lessonFiles(to));
  const out: string[] = [];
  for (const file of [...new Set([...before, ...after])].sort()) {
    const a = before.has(file) ? rel(from, file) : '/dev/null';
    const b = after.has(file) ? rel(to, file) : '/dev/null';
    const diff = spawnSync('git', ['diff', '--no-index', `--color=${color ? 'always' : 'never'}`, '--', a, b], { cwd: root, encoding: 'utf8' });
    if (diff.status === 0) continue; // the same in both
    if (diff.status !== 1) throw new Error(`git diff --no-index ${a} ${b} failed: ${diff.stderr || diff.error?.message}`);
    out.push(diff.stdout);
  }
  return out.join('');
}

/**
 * Lessons that build on one that is not the lesson just before them: lesson
 * 12 takes lesson 10's chat, not lesson 11's Raspberry Pi; lesson 14 takes lesson 12's (one
 * process, SQLite), not lesson 13's workers.
 */
const BUILDS_ON: Record<string, string> = { '12': '10', '14': '12' };

/** The lesson `lesson` builds on: usually the one before it. */
function lessonBefore(lessons: LessonInfo[], lesson: LessonInfo): LessonInfo | undefined {
  const base = BUILDS_ON[lesson.number];
  return base ? lessons.find((other) => other.number === base) : lessons[lessons.indexOf(lesson) - 1];
}

/** Lines added and removed from `from` to `to`, as `lessonDiff` counts them. */
export function diffSize(from: LessonInfo, to: LessonInfo): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lessonDiff(from, to, false).split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { added, removed };
}

/** Where a lesson's step starts: the file with its connection handler, that line, and lengths. */
export interface LessonShape {
  file: string; // "server.ts", or lesson 13's "chat.ts"
  handlerLine: number; // the first `io.on('connection'`
  fileLines: number;
  serverLines: number; // every .ts and .js file of the folder but public/
  pageLines: number; // those in public/
}

export function lessonShape(lesson: LessonInfo): LessonShape {
  const code = lessonFiles(lesson).filter((file) => /\.(ts|js)$/.test(file));
  const lines = (file: string) => readFileSync(path.join(lesson.folder, file), 'utf8').replace(/\n$/, '').split('\n');
  let shape = { file: 'server.ts', handlerLine: 0, fileLines: lines('server.ts').length };
  for (const file of code.filter((name) => !name.startsWith(`public${path.sep}`))) {
    const found = lines(file).findIndex((line) => /\bio\.on\('connection'/.test(line));
    if (found >= 0) {
      shape = { file, handlerLine: found + 1, fileLines: lines(file).length };
      break;
    }
  }
  const count = (files: string[]) => files.reduce((sum, file) => sum + lines(file).length, 0);
  const pages = code.filter((name) => name.startsWith(`public${path.sep}`));
  return { ...shape, serverLines: count(code.filter((name) => !pages.includes(name))), pageLines: count(pages) };
}

/** `npm run diff -- --sizes`: a line per lesson. */
export function sizesCommand(): string {
  const lessons = listLessons();
  const out = ['lesson   step from   added  removed   handler at / file length   server lines   page lines'];
  for (const lesson of lessons) {
    const from = lessonBefore(lessons, lesson);
    const size = from ? diffSize(from, lesson) : undefined;
    const shape = lessonShape(lesson);
    out.push(
      [
        lesson.number.padEnd(8),
        (from?.number ?? '-').padStart(9),
        String(size?.added ?? '-').padStart(7),
        String(size?.removed ?? '-').padStart(8),
        `${shape.handlerLine} / ${shape.fileLines} (${shape.file})`.padStart(26),
        String(shape.serverLines).padStart(14),
        String(shape.pageLines).padStart(12),
      ].join(' '),
    );
  }
  return out.join('\n') + '\n';
}

/** What `npm run diff -- WORDS` prints; throws, saying why, for lessons that are not there. */
export function diffCommand(words: string[], color: boolean): string {
  const lessons = listLessons();
  const range = `a number from ${lessons[0].number} to ${lessons.at(-1)!.number}, or a name`;
  if (words.length === 0 || words.length > 2) throw new Error(`Which lesson? npm run diff -- 05 (${range}) shows what changed since the lesson before it; npm run diff -- 05 09 from 05 to 09.`);
  const found = words.map((word) => {
    const lesson = findLesson(lessons, word);
    if (!lesson) throw new Error(`There is no lesson "${word}". Try ${range}.`);
    return lesson;
  });
  const to = found.length === 2 ? found[1] : found[0];
  const from = found.length === 2 ? found[0] : lessonBefore(lessons, to);
  if (!from) return `Lesson ${to.number} is the first: there is nothing before it to compare it with. Its code is all in lessons/${to.number}-${to.slug}/.\n`;
  if (from === to) throw new Error(`Pick two different lessons: npm run diff -- ${from.number} 09`);
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);
  const out = [bold(`From lesson ${from.number} (${from.title}) to lesson ${to.number} (${to.title}): the code, without READMEs and screenshots`), '\n'];
  out.push(lessonDiff(from, to, color) || 'No file differs.\n');
  const before = sharedImports(from);
  const added = [...sharedImports(to)].filter((file) => !before.has(file)).sort();
  const names = added.length > 1 ? `${added.slice(0, -1).join(', ')} and ${added.at(-1)}` : added[0];
  if (added.length) out.push(bold(`\nLesson ${to.number} also imports ${names}, which lesson ${from.number} did not: read ${added.length === 1 ? 'it' : 'them'} too.`), '\n');
  return out.join('');
}

if (require.main === module) {
  try {
    const color = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : process.stdout.isTTY === true && !process.env.NO_COLOR;
    const args = process.argv.slice(2);
    process.stdout.write(args.includes('--sizes') ? sizesCommand() : diffCommand(args.filter((arg) => !arg.startsWith('-')), color));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
