// npm run solution -- NN.K [--apply]
// Shows the reference solution of exercise NN.K as a diff against the lesson
// as it ships. --apply applies it to your files, and says how to undo it.
// (For the workbook's authors: --save writes your working tree's change to
// the lesson, against the last commit, as that solution.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadChecks } from '../test/checks/run-checks';
import { findLesson, listLessons } from './lessons';

const root = path.join(__dirname, '..');
export const solutionsDir = path.join(root, 'test', 'solutions');
export const solutionFile = (id: string) => path.join(solutionsDir, `${id}.patch`);
export const wrongDir = path.join(solutionsDir, 'wrong');

/**
 * A plausible wrong answer to an exercise, kept to prove that its check
 * refuses it: test/solutions/wrong/NN.K-what-it-gets-wrong.patch, a diff
 * against the lesson as it ships, after two lines that git apply skips:
 *   Mistake: the typing notice reaches every room (io.emit)
 *   Expect: another room
 * `Expect` is a regular expression (case-insensitive) that the check's
 * "not yet" message must match: it says what went wrong.
 */
export interface WrongAnswer {
  exercise: string;
  name: string;
  file: string;
  mistake: string;
  expect: RegExp;
}

export function wrongAnswers(exercise: string): WrongAnswer[] {
  return readAnswers(wrongDir, exercise, ['Mistake', 'Expect']).map(({ fields: [mistake, expect], ...answer }) => ({ ...answer, mistake, expect: new RegExp(expect, 'i') }));
}

export const otherDir = path.join(solutionsDir, 'other');

/**
 * A right answer written another way than the reference (another structure,
 * another format the exercise leaves free), kept to prove that its check
 * passes it: test/solutions/other/NN.K-how.patch, after a line git apply skips:
 *   How: the list is kept in a Set, and the notice says "Ann left the room"
 */
export interface OtherAnswer {
  exercise: string;
  name: string;
  file: string;
  how: string;
}

export function otherAnswers(exercise: string): OtherAnswer[] {
  return readAnswers(otherDir, exercise, ['How']).map(({ fields: [how], ...answer }) => ({ ...answer, how }));
}

/** The patches for `exercise` in `dir`, with the header fields each must have. */
function readAnswers(dir: string, exercise: string, labels: string[]): Array<{ exercise: string; name: string; file: string; fields: string[] }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${exercise}-`) && name.endsWith('.patch'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const text = readFileSync(file, 'utf8');
      const diff = text.indexOf('diff --git');
      const fields = labels.map((label) => text.slice(0, diff).match(new RegExp(`^${label}:\\s*(.+)$`, 'm'))?.[1]?.trim() ?? '');
      if (fields.some((field) => !field)) {
        throw new Error(`${path.relative(root, file)} must start with ${labels.map((label) => `"${label}: …"`).join(' and ')}, before its diff`);
      }
      return { exercise, name: name.slice(exercise.length + 1, -'.patch'.length), file, fields };
    });
}

/** The files a patch changes, and those it creates. */
export function filesOf(patch: string): { changed: string[]; created: string[] } {
  const changed: string[] = [];
  const created: string[] = [];
  for (const part of patch.split(/^diff --git /m).slice(1)) {
    const file = part.match(/^a\/(\S+) b\/(\S+)/)?.[2];
    if (!file) continue;
    (/^new file mode/m.test(part) ? created : changed).push(file);
  }
  return { changed, created };
}

function colour(patch: string): string {
  if (!process.stdout.isTTY || process.env.NO_COLOR) return patch;
  return patch
    .split('\n')
    .map((line) => {
      if (/^(diff --git|index |--- |\+\+\+ |new file mode)/.test(line)) return `\x1b[1m${line}\x1b[0m`;
      if (line.startsWith('@@')) return `\x1b[36m${line}\x1b[0m`;
      if (line.startsWith('+')) return `\x1b[32m${line}\x1b[0m`;
      if (line.startsWith('-')) return `\x1b[31m${line}\x1b[0m`;
      return line;
    })
    .join('\n');
}

/** "10.5", "10.05" or "10-users.5" as an exercise id, or an error saying which exist. */
function exerciseId(text: string | undefined): string {
  const usage = 'Which exercise? npm run solution -- 10.5 (lesson 10, exercise 5)';
  if (!text) throw new Error(usage);
  const [number, part] = text.split('.');
  const lesson = findLesson(listLessons(), number);
  if (!lesson || part === undefined || !/^\d+$/.test(part)) throw new Error(usage);
  const id = `${lesson.number}.${Number(part)}`;
  const checks = loadChecks(`${lesson.number}-${lesson.slug}`);
  if (!existsSync(solutionFile(id))) {
    const explore = checks?.explore?.[id];
    const solved = checks?.exercises.map((exercise) => exercise.id) ?? [];
    throw new Error(
      explore
        ? `Exercise ${id} (${explore}) is one to explore: its answer is in the hints at the end of the lesson's README.`
        : `Exercise ${id} has no reference solution. Lesson ${lesson.number}'s solutions: ${solved.join(', ') || 'none'}.`,
    );
  }
  return id;
}

function undoHint({ changed, created }: { changed: string[]; created: string[] }): string {
  // One folder per lesson touched: `git checkout -- lessons/10-users` undoes every file in it.
  const places = [...new Set(changed.map((file) => (file.startsWith('lessons/') ? file.split('/').slice(0, 2).join('/') : file)))];
  const steps = [];
  if (places.length) steps.push(`git checkout -- ${places.join(' ')}`);
  if (created.length) steps.push(`rm ${created.join(' ')}`);
  return steps.join(' && ');
}

function main(): void {
  const args = process.argv.slice(2);
  const text = args.find((arg) => !arg.startsWith('--'));
  if (args.includes('--save')) return save(exerciseIdForSave(text));
  const otherName = option(args, '--save-other');
  if (otherName !== undefined) return saveAnswer(otherDir, exerciseIdForSave(text), otherName, { How: option(args, '--how') });
  const wrongName = option(args, '--save-wrong');
  if (wrongName !== undefined) {
    const expect = option(args, '--expect');
    if (expect) new RegExp(expect, 'i'); // throws on a bad pattern
    return saveAnswer(wrongDir, exerciseIdForSave(text), wrongName, { Mistake: option(args, '--mistake'), Expect: expect });
  }
  const id = exerciseId(text);
  const patch = readFileSync(solutionFile(id), 'utf8');
  if (!args.includes('--apply')) {
    console.log(colour(patch));
    console.log(`Apply it to your files: npm run solution -- ${id} --apply`);
    return;
  }
  const applied = spawnSync('git', ['apply', '--whitespace=nowarn', solutionFile(id)], { cwd: root, encoding: 'utf8' });
  if (applied.status !== 0) {
    const files = filesOf(patch);
    throw new Error(
      `The solution does not apply: your files differ from the lesson as it ships.\n` +
        `Keep your work with \`git stash\` (or undo it: ${undoHint(files)}), then try again.\n` +
        applied.stderr.trim(),
    );
  }
  const files = filesOf(patch);
  console.log(`Applied the solution of ${id} to ${[...files.changed, ...files.created].join(', ')}.`);
  console.log(`Check it: npm run check -- ${id}`);
  console.log(`Undo it:  ${undoHint(files)}`);
}

/** For --save: the id of an exercise that has a check, solution or not. */
function exerciseIdForSave(text: string | undefined): string {
  const [number, part] = (text ?? '').split('.');
  const lesson = findLesson(listLessons(), number);
  if (!lesson || !/^\d+$/.test(part ?? '')) throw new Error('Which exercise? npm run solution -- 10.5 --save');
  return `${lesson.number}.${Number(part)}`;
}

/** `--name=value` or `--name value` among the arguments. */
function option(args: string[], name: string): string | undefined {
  const i = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(name.length + 1) : args[i + 1];
}

/** The working tree's change (new files too), against HEAD, outside the checks and solutions. */
function workingChange(): string {
  const outside = [':(exclude)test/solutions', ':(exclude)test/checks'];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  // New files count too: git diff shows them once git knows of them, so add
  // them for a moment (intent to add), and leave the index as it was.
  const created = git('ls-files', '--others', '--exclude-standard', '--', 'lessons', 'shared', 'test', ...outside).split('\n').filter(Boolean);
  if (created.length) git('add', '--intent-to-add', '--', ...created);
  let patch: string;
  try {
    patch = git('diff', 'HEAD', '--', '.', ...outside);
  } finally {
    if (created.length) git('reset', '-q', '--', ...created);
  }
  if (!patch.trim()) throw new Error('Nothing has changed since the last commit: there is no solution to save.');
  return patch;
}

/** Writes the working tree's change, against HEAD, as the solution of `id`. */
function save(id: string): void {
  const patch = workingChange();
  writeFileSync(solutionFile(id), patch);
  console.log(`Saved ${path.relative(root, solutionFile(id))}: ${[...new Set(Object.values(filesOf(patch)).flat())].join(', ')}`);
}

/** Writes the working tree's change as a wrong (or other right) answer to `id`: see WrongAnswer, OtherAnswer. */
function saveAnswer(dir: string, id: string, name: string, fields: Record<string, string | undefined>): void {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) || Object.values(fields).some((value) => !value)) {
    throw new Error(
      'npm run solution -- 10.2 --save-wrong=what-it-gets-wrong --mistake="the notice reaches every room" --expect="another room"\n' +
        'npm run solution -- 10.2 --save-other=how-it-differs --how="the names are kept in a Set"',
    );
  }
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${id}-${name}.patch`);
  const header = Object.entries(fields).map(([label, value]) => `${label}: ${value}\n`).join('');
  writeFileSync(file, `${header}\n${workingChange()}`);
  console.log(`Saved ${path.relative(root, file)}`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
}
