// npm run prove-exercises [-- NN | NN.K ...] [--quick]
// Proves every checked exercise, in scratch copies of the workbook (.proof/):
//   1. its check fails on the lesson as it ships;
//   2. with its reference solution applied, the check passes,
//   3. the type check passes,
//   4. and the lesson's own tests pass (lesson, browser, robustness and the
//      shared modules' tests), except those the exercise names as changed;
//   5. with each of its wrong answers applied (test/solutions/wrong/NN.K-*.patch),
//      the check fails, with a message that says what went wrong (the
//      patch's `Expect:` line, a regular expression);
//   6. with every reference solution of the earlier lessons applied together
//      (what they change outside their own lesson: shared/ and the tests),
//      its check still passes with its solution.
// --quick leaves out 3 and 4 (for writing checks: the check's verdicts only).
// Prints a table, one row per exercise, and exits 1 on any miss.
//
// Step 4 runs in rounds: a solution that changes nothing outside its own
// lesson's folder cannot change another lesson's tests, so round 1 applies the
// first such solution of every lesson at once and runs all their tests in one
// mocha run, round 2 the second ones, and so on. A round where a test fails
// that its lesson's exercise does not name as changed is run again one
// exercise at a time, so a miss names its exercise. A solution that reaches
// outside its lesson (shared/, the tests) is proved alone, with the tests of
// every lesson that uses what it changed.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Exercise } from '../test/checks/check';
import { loadChecks, type Result } from '../test/checks/run-checks';
import { findLesson, listLessons, type LessonInfo } from './lessons';
import { IncrementalTypes } from './incremental-types';
import { filesOf, otherAnswers, solutionFile, wrongAnswers, type OtherAnswer, type WrongAnswer } from './solution';

const run = promisify(execFile);
const root = path.join(__dirname, '..');
const scratch = path.join(root, '.proof');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

interface Row {
  id: string;
  failsAsShipped: boolean | undefined;
  checkPasses?: boolean;
  typesPass?: boolean;
  testsPass?: boolean;
  seconds?: number;
  /** Seconds spent in each step, to see where the time goes. */
  steps: Record<string, number>;
  problems: string[];
  /** Tests that failed on the first run and passed on the second, with why they failed. */
  flaky?: string[];
  /** A wrong answer: whether its check refused it, for its mistake, and with what message. */
  refused?: boolean;
  message?: string;
  /** The scratch copy, kept when something missed. */
  dir?: string;
}

/** Copies the workbook's files (tracked, or new and not ignored) into `dir`. */
// The copies share the workbook's compiled stylesheets (shared/styles.ts checks each by its files' hashes).
process.env.WORKBOOK_STYLES ??= path.join(root, '.workbook', 'styles');

async function copyWorkbook(dir: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 1e8 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!statSync(path.join(root, file), { throwIfNoEntry: false })?.isFile()) continue; // deleted, or not a file
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(dir, file));
  }
}

/** Runs a command in `dir`; resolves with its output and whether it succeeded. */
async function inCopy(dir: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 0): Promise<{ ok: boolean; out: string; timedOut?: boolean }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: dir, maxBuffer: 1e8, env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: timeoutMs });
    return { ok: true, out: stdout + stderr };
  } catch (err) {
    const { stdout = '', stderr = '', killed = false } = err as { stdout?: string; stderr?: string; killed?: boolean };
    return { ok: false, out: stdout + stderr, timedOut: killed };
  }
}

/**
 * How long one mocha run of lesson tests may take: on a busy machine, a test
 * that timed out can leave a socket open, and mocha then never ends. CI must
 * fail with a reason, not wait for its own time limit.
 */
const MOCHA_LIMIT_MS = 20 * 60 * 1000;

/**
 * `npm run check -- SELECTOR --json` in `dir`. Several run at once here, so
 * `factor` may give each wait longer: a check that must pass may not fail
 * for want of time. (As shipped, every check fails anyway.)
 */
async function checkResults(dir: string, selector: string, factor = 1): Promise<Result[]> {
  const { out } = await inCopy(dir, process.execPath, ['-r', 'ts-node/register', 'scripts/check.ts', selector, '--json'], { CHECK_TIME_FACTOR: String(factor) });
  try {
    return JSON.parse(out.slice(out.indexOf('['))) as Result[];
  } catch {
    throw new Error(`npm run check -- ${selector} --json printed no results: ${out.trim().split('\n')[0]}`);
  }
}

/** Which files import which (relative imports only), for `dependents`. */
function importGraph(dir: string): Map<string, Set<string>> {
  const importedBy = new Map<string, Set<string>>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(path.join(dir, folder), { withFileTypes: true })) {
      const file = path.posix.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) {
        const source = readFileSync(path.join(dir, file), 'utf8');
        for (const [, target] of source.matchAll(/(?:from |require\(|import\()'(\.\.?\/[^']+)'/g)) {
          const imported = path.posix.join(path.posix.dirname(file), target).replace(/\.js$/, '');
          for (const candidate of [`${imported}.ts`, `${imported}/index.ts`]) {
            if (!importedBy.has(candidate)) importedBy.set(candidate, new Set());
            importedBy.get(candidate)!.add(file);
          }
        }
      }
    }
  };
  for (const folder of ['lessons', 'shared', 'test']) walk(folder);
  return importedBy;
}

/** Every file that imports one of `files`, directly or through others. */
function dependents(graph: Map<string, Set<string>>, files: string[]): Set<string> {
  const found = new Set<string>();
  const todo = [...files];
  while (todo.length) {
    for (const by of graph.get(todo.pop()!) ?? []) {
      if (!found.has(by)) todo.push(by), found.add(by);
    }
  }
  return found;
}

type TestRun = { failed: string[]; titles: string[]; reasons: Map<string, string>; crashes: string[]; error?: string };

/**
 * The lessons' own tests (lesson, browser and robustness), the shared
 * modules' tests, and the tests of other lessons that use what the solution
 * changed (07.2 changes the shared message generator, and so lessons 07 to
 * 10), in one mocha run: which passed and which failed (full titles).
 */
async function lessonTests(dir: string, lessons: LessonInfo[], touched: string[]): Promise<TestRun> {
  const own = (file: string) => lessons.some((lesson) => file.startsWith(`lessons/${lesson.number}-`));
  const others = [...dependents(importGraph(dir), touched.filter((file) => !own(file))), ...touched].filter((file) =>
    /^test\/(lessons|browser)\/\d\d-.*\.test\.ts$/.test(file),
  );
  const specs = [
    ...lessons.flatMap((lesson) => [`test/lessons/${lesson.number}-*.test.ts`, `test/browser/${lesson.number}-*.test.ts`]),
    'test/shared/*.test.ts',
    // A solution that reaches outside its lesson may change what any robustness test uses.
    ...(touched.some((file) => !own(file)) ? ['test/robustness/*.test.ts'] : robustnessFor(dir, lessons)),
    ...new Set(others),
  ];
  const report = path.join(dir, 'mocha.json');
  rmSync(report, { force: true }); // a second run must not read the first one's report
  const ran = await inCopy(dir, bin('mocha'), [...specs, '--reporter', 'json', '--reporter-option', `output=${report}`], {
    ONLY_LESSON: lessons.map((lesson) => lesson.number).join(','),
    CHURN_CYCLES: '300', // a leak shows in 300 connections as in 1,000; npm test runs the 1,000
  }, MOCHA_LIMIT_MS);
  const hung = ran.timedOut ? `mocha did not end within ${MOCHA_LIMIT_MS / 60_000} minutes (stopped): something a test opened was never closed, or a test never ended` : undefined;
  if (!existsSync(report)) return { failed: [], titles: [], reasons: new Map(), crashes: [], error: hung ?? `mocha did not run: ${ran.out.trim().split('\n').slice(-3).join(' ')}` };
  const json = JSON.parse(readFileSync(report, 'utf8')) as { tests: Array<{ fullTitle: string }>; failures: Array<{ fullTitle: string; err?: { message?: string } }> };
  return {
    titles: json.tests.map((test) => test.fullTitle),
    failed: json.failures.map((test) => test.fullTitle),
    // The first lines of each failure's message: in CI, the scratch copy with the full report is gone.
    reasons: new Map(json.failures.map((test) => [test.fullTitle, (test.err?.message ?? '').trim().split('\n').slice(0, 6).join(' ').replace(/\s+/g, ' ').slice(0, 400)])),
    // A crash skips the rest of its block (test/crash.ts): it is never a change the exercise meant.
    crashes: json.failures.filter((test) => test.err?.message?.startsWith('the server crashed:')).map((test) => `${test.fullTitle}: ${test.err!.message!.split('\n')[0]}`),
    error: hung,
  };
}

/**
 * The robustness test files that test one of `lessons`: those that attack
 * every lesson's target (test/robustness/targets.ts, where ONLY_LESSON picks),
 * and those that name one of the lessons' folders, in their own text or in a
 * helper of theirs (membership-churn.test.ts starts lessons/13-scale-out/, and
 * has nothing to say of lesson 05).
 */
function robustnessFor(dir: string, lessons: LessonInfo[]): string[] {
  const folder = path.join(dir, 'test', 'robustness');
  /** A test file's text and the text of the test helpers it imports, recursively. */
  const textOf = (file: string, seen: Set<string>): string => {
    if (seen.has(file) || !existsSync(file)) return '';
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const helpers = [...source.matchAll(/from '(\.\.?\/[^']+)'/g)]
      .map(([, target]) => `${path.join(path.dirname(file), target)}.ts`)
      .filter((helper) => helper.startsWith(path.join(dir, 'test') + path.sep));
    return source + helpers.map((helper) => textOf(helper, seen)).join('\n');
  };
  return readdirSync(folder)
    .filter((name) => name.endsWith('.test.ts'))
    .filter((name) => {
      const text = textOf(path.join(folder, name), new Set());
      return /from '\.\/targets'/.test(text) || lessons.some((lesson) => text.includes(`lessons/${lesson.number}-`));
    })
    .map((name) => `test/robustness/${name}`);
}

/** True if the exercise's solution changes files in its own lesson's folder only. */
function staysInLesson(exercise: Exercise, lesson: LessonInfo): boolean {
  const patch = solutionFile(exercise.id);
  if (!existsSync(patch)) return false;
  const { changed, created } = filesOf(readFileSync(patch, 'utf8'));
  return [...changed, ...created].every((file) => file.startsWith(`lessons/${lesson.number}-`));
}

/**
 * The lesson tests of one exercise, in `dir` (its solution applied), into its
 * row: they pass but for the tests it names as changed. Three proofs at once
 * on two cores can make a timed test miss: a test that fails, and passes when
 * the whole set runs again, is reported as flaky; one that fails twice is a
 * miss. A crash is never run again.
 */
async function proveTests(row: Row, exercise: Exercise, lesson: LessonInfo, dir: string, touched: string[]): Promise<void> {
  const timed = async <T>(step: string, work: Promise<T>): Promise<T> => {
    const begun = Date.now();
    const result = await work;
    row.steps[step] = (Date.now() - begun) / 1000;
    return result;
  };
  const changes = exercise.changes ?? [];
  let tests = await timed('tests', lessonTests(dir, [lesson], touched));
  if (unexpectedIn(tests, changes).length > 0 && !tests.error && tests.crashes.length === 0) {
    const first = tests;
    tests = await timed('tests again', lessonTests(dir, [lesson], touched));
    if (unexpectedIn(tests, changes).length === 0) row.flaky = unexpectedIn(first, changes).map((title) => `${title}: ${first.reasons.get(title) ?? ''}`);
  }
  const crashes = tests.crashes;
  const unexpected = unexpectedIn(tests, changes);
  const unknown = changes.filter((title) => !tests.titles.includes(title));
  row.testsPass = !tests.error && unexpected.length === 0 && unknown.length === 0 && crashes.length === 0;
  if (tests.error) row.problems.push(tests.error);
  for (const crash of crashes) row.problems.push(`the lesson crashed in a test: ${crash}`);
  for (const title of unexpected) row.problems.push(`a lesson test fails: ${title}${tests.reasons.get(title) ? `\n      ${tests.reasons.get(title)}` : ''}`);
  for (const title of unknown) row.problems.push(`names a changed test that does not exist: ${title}`);
}

/** The tests that failed in `run` and are neither in `changes` nor a crash. */
const unexpectedIn = (run: TestRun, changes: string[]) =>
  run.failed.filter((title) => !changes.includes(title) && !run.crashes.some((crash) => crash.startsWith(`${title}: `)));

/**
 * The lesson a test belongs to, from its full title: "10 users …", "10 users
 * robustness: …", "robustness: classroom attacks on 10-users …"; or undefined
 * (a shared module's test).
 */
const lessonOfTitle = (title: string) => title.match(/^(\d\d) /)?.[1] ?? title.match(/\b(\d\d)-[a-z]/)?.[1];

/**
 * Step 4 for one exercise of each of several lessons at once (their solutions
 * stay inside their own lessons): one copy with all of them applied, one mocha
 * run. Where it fails, each exercise of the round is proved alone.
 */
/** Why each round that missed was run again one exercise at a time, for the summary. */
const roundNotes: string[] = [];

/**
 * The lessons whose tests failed in a round (crashes included), or undefined
 * when that cannot be told: the run did not end, a failed test names no
 * lesson (a shared module's), or a changed test an exercise names is missing.
 */
function blamedLessons(tests: TestRun | undefined, members: Array<{ exercise: Exercise; lesson: LessonInfo }>): Set<string> | undefined {
  if (!tests || tests.error) return undefined;
  if (!members.every(({ exercise }) => (exercise.changes ?? []).every((title) => tests.titles.includes(title)))) return undefined;
  const changesOf = new Map(members.map(({ exercise, lesson }) => [lesson.number, exercise.changes ?? []]));
  const failed = tests.failed.filter((title) => !changesOf.get(lessonOfTitle(title) ?? '')?.includes(title) || tests.crashes.some((crash) => crash.startsWith(`${title}: `)));
  const lessons = failed.map(lessonOfTitle);
  if (lessons.some((number) => number === undefined || !changesOf.has(number))) return undefined;
  return new Set(lessons as string[]);
}

async function proveRound(number: number, members: Array<{ exercise: Exercise; lesson: LessonInfo; row: Row }>, base: string): Promise<void> {
  const begun = Date.now();
  const { dir, error } = await patchedCopy(`round-${number}`, base, members.map(({ exercise }) => ({ file: solutionFile(exercise.id) })));
  const tests = error ? undefined : await lessonTests(dir, members.map(({ lesson }) => lesson), []);
  const seconds = (Date.now() - begun) / 1000;
  const changesOf = new Map(members.map(({ exercise, lesson }) => [lesson.number, exercise.changes ?? []]));
  const clean =
    tests !== undefined &&
    !tests.error &&
    tests.crashes.length === 0 &&
    tests.failed.every((title) => changesOf.get(lessonOfTitle(title) ?? '')?.includes(title)) &&
    members.every(({ exercise }) => (exercise.changes ?? []).every((title) => tests.titles.includes(title)));
  if (clean) {
    for (const { row } of members) {
      row.testsPass = true;
      row.steps[`tests (round ${number} of ${members.length})`] = seconds;
      row.seconds = (row.seconds ?? 0) + seconds;
    }
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  // One exercise at a time: a miss names its exercise, and a flaky test is run again.
  const excused = (title: string) => changesOf.get(lessonOfTitle(title) ?? '')?.includes(title) && !tests?.crashes.some((crash) => crash.startsWith(`${title}: `));
  const why =
    error ?? tests?.error ?? [...(tests?.crashes ?? []), ...(tests?.failed ?? []).filter((title) => !excused(title)).map((title) => `${title}: ${tests?.reasons.get(title) ?? ''}`)].join('; ');
  // Each solution of a round changes its own lesson's folder only, so it can
  // fail no other lesson's tests: when every test that failed names its lesson,
  // the exercises of the other lessons passed, and only the named ones are proved alone.
  const blamed = blamedLessons(tests, members);
  const again = blamed ? members.filter(({ lesson }) => blamed.has(lesson.number)) : members;
  for (const { row } of members.filter((member) => !again.includes(member))) {
    row.testsPass = true;
    row.steps[`tests (round ${number} of ${members.length})`] = seconds;
    row.seconds = (row.seconds ?? 0) + seconds;
  }
  roundNotes.push(
    `round ${number} (${members.map(({ exercise }) => exercise.id).join(', ')}) missed, so ` +
      `${blamed ? `${again.map(({ exercise }) => exercise.id).join(', ')} ${again.length === 1 ? 'was' : 'were'} proved alone (the others' lessons passed)` : 'each was proved alone'}: ${why || 'a changed test it names does not exist'}`,
  );
  rmSync(dir, { recursive: true, force: true });
  for (const { exercise, lesson, row } of again) {
    const again = Date.now();
    row.steps[`tests (round ${number}, missed)`] = seconds;
    const alone = await patchedCopy(`${exercise.id}-tests`, base, [{ file: solutionFile(exercise.id) }]);
    if (alone.error) row.problems.push(alone.error);
    else await proveTests(row, exercise, lesson, alone.dir, []);
    row.seconds = (row.seconds ?? 0) + seconds + (Date.now() - again) / 1000;
    if (row.problems.length === 0) rmSync(alone.dir, { recursive: true, force: true });
    else row.dir = alone.dir;
  }
}

async function prove(exercise: Exercise, lesson: LessonInfo, failsAsShipped: boolean | undefined, base: string, types: IncrementalTypes | undefined, row: Row, inRound: boolean): Promise<Row> {
  const started = Date.now();
  const timed = async <T>(step: string, work: Promise<T>): Promise<T> => {
    const begun = Date.now();
    const result = await work;
    row.steps[step] = (Date.now() - begun) / 1000;
    return result;
  };
  if (failsAsShipped === false) row.problems.push('its check passes on the lesson as it ships');
  if (failsAsShipped === undefined) row.problems.push('its check gave no result on the lesson as it ships');
  const patch = solutionFile(exercise.id);
  if (!existsSync(patch)) {
    row.problems.push(`no reference solution (${path.relative(root, patch)})`);
    return row;
  }
  const dir = path.join(scratch, exercise.id);
  rmSync(dir, { recursive: true, force: true });
  await run('cp', ['-r', base, dir]);
  // The copy lies inside the workbook's own repository: stop git from finding
  // it, or git apply would skip every path outside .proof/ID without a word.
  const applied = await inCopy(dir, 'git', ['apply', '--whitespace=nowarn', patch], { GIT_CEILING_DIRECTORIES: scratch });
  if (!applied.ok) {
    row.problems.push(`the solution does not apply: ${applied.out.trim().split('\n')[0]}`);
    return row;
  }
  const checked = timed('check', checkResults(dir, exercise.id, 3));
  const { changed, created } = filesOf(readFileSync(patch, 'utf8'));
  if (types) {
    const typeErrors = await timed('types', Promise.resolve().then(() => types.check(dir, changed, created)));
    row.typesPass = typeErrors.length === 0;
    if (!row.typesPass) row.problems.push(`type check: ${typeErrors[0]}${typeErrors.length > 1 ? ` (and ${typeErrors.length - 1} more)` : ''}`);
  }
  const results = await checked;
  const result = results.find((r) => r.exercise === exercise.id);
  row.checkPasses = result?.passed === true;
  if (!row.checkPasses) row.problems.push(`check with the solution: ${result?.message ?? 'no result'}`);
  // Its lesson tests: here, or in a round (proveRound).
  if (types && !inRound) await proveTests(row, exercise, lesson, dir, [...changed, ...created]);
  row.seconds = (row.seconds ?? 0) + (Date.now() - started) / 1000;
  if (row.problems.length === 0) rmSync(dir, { recursive: true, force: true });
  else row.dir = dir;
  return row;
}

/** A copy of `base` in .proof/NAME with `patches` applied (each with `exclude`d paths left out); or why not. */
async function patchedCopy(name: string, base: string, patches: Array<{ file: string; exclude?: string }>): Promise<{ dir: string; error?: string }> {
  const dir = path.join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  await run('cp', ['-r', base, dir]);
  for (const { file, exclude } of patches) {
    const args = ['apply', '--whitespace=nowarn', ...(exclude ? [`--exclude=${exclude}`] : []), file];
    // The copy lies inside the workbook's own repository: stop git from finding
    // it, or git apply would skip every path outside .proof/NAME without a word.
    let applied = await inCopy(dir, 'git', args, { GIT_CEILING_DIRECTORIES: scratch });
    // Two solutions that change one shared file (10.1 and 10.3, shared/users.ts) touch each other's context.
    if (!applied.ok) applied = await inCopy(dir, 'git', [...args.slice(0, 1), '-C1', ...args.slice(1)], { GIT_CEILING_DIRECTORIES: scratch });
    if (!applied.ok) return { dir, error: `${path.relative(root, file)} does not apply: ${applied.out.trim().split('\n')[0]}` };
  }
  return { dir };
}

/** A wrong answer: its check must fail, with a message that says what is wrong. */
async function proveWrong(wrong: WrongAnswer, base: string): Promise<Row> {
  const started = Date.now();
  const row: Row = { id: `${wrong.exercise} ✗ ${wrong.name}`, failsAsShipped: undefined, steps: {}, problems: [] };
  const { dir, error } = await patchedCopy(`${wrong.exercise}-${wrong.name}`, base, [{ file: wrong.file }]);
  row.dir = dir;
  if (error) row.problems.push(error);
  else {
    const result = (await checkResults(dir, wrong.exercise, 3)).find((r) => r.exercise === wrong.exercise);
    row.refused = result !== undefined && !result.passed && wrong.expect.test(result.message);
    row.message = result?.message;
    if (!result) row.problems.push('its check gave no result');
    else if (result.passed) row.problems.push(`its check passes this wrong answer (${wrong.mistake})`);
    else if (!wrong.expect.test(result.message)) row.problems.push(`its check refuses it, but not for its mistake: expected a message matching ${wrong.expect}, got "${result.message}"`);
  }
  row.seconds = (Date.now() - started) / 1000;
  if (row.problems.length === 0) rmSync(dir, { recursive: true, force: true });
  return row;
}

/** A right answer written another way: its check must pass it. */
async function proveOther(other: OtherAnswer, base: string): Promise<Row> {
  const started = Date.now();
  const row: Row = { id: `${other.exercise} ✓ ${other.name}`, failsAsShipped: undefined, steps: {}, problems: [] };
  const { dir, error } = await patchedCopy(`${other.exercise}-${other.name}`, base, [{ file: other.file }]);
  row.dir = dir;
  if (error) row.problems.push(error);
  else {
    const result = (await checkResults(dir, other.exercise, 3)).find((r) => r.exercise === other.exercise);
    row.checkPasses = result?.passed === true;
    row.message = result?.message;
    if (!row.checkPasses) row.problems.push(`its check refuses this right answer (${other.how}): ${result?.message ?? 'no result'}`);
  }
  row.seconds = (Date.now() - started) / 1000;
  if (row.problems.length === 0) rmSync(dir, { recursive: true, force: true });
  return row;
}

/** The parts of each earlier lesson's reference solutions that reach past their own lesson, in order. */
function earlierSolutions(lesson: LessonInfo, lessons: LessonInfo[]): Array<{ file: string; exclude: string }> {
  return lessons
    .filter((other) => other.number < lesson.number)
    .flatMap((other) =>
      (loadChecks(`${other.number}-${other.slug}`)?.exercises ?? [])
        .map((exercise) => solutionFile(exercise.id))
        .filter((file) => existsSync(file) && filesOf(readFileSync(file, 'utf8')).changed.concat(filesOf(readFileSync(file, 'utf8')).created).some((f) => !f.startsWith(`lessons/${other.number}-`)))
        .map((file) => ({ file, exclude: `lessons/${other.number}-*` })),
    );
}

/** The check passes with the solution, on top of every earlier lesson's solutions. */
async function proveCombined(exercise: Exercise, lesson: LessonInfo, earlier: Array<{ file: string; exclude: string }>, base: string): Promise<Row> {
  const started = Date.now();
  const row: Row = { id: `${exercise.id} + earlier`, failsAsShipped: undefined, steps: {}, problems: [] };
  const { dir, error } = await patchedCopy(`${exercise.id}-combined`, base, [...earlier, { file: solutionFile(exercise.id) }]);
  row.dir = dir;
  if (error) row.problems.push(`with the solutions of lessons before ${lesson.number}: ${error}`);
  else {
    const result = (await checkResults(dir, exercise.id, 3)).find((r) => r.exercise === exercise.id);
    row.checkPasses = result?.passed === true;
    if (!row.checkPasses) row.problems.push(`with the solutions of ${earlier.map((e) => path.basename(e.file, '.patch')).join(', ')} applied too, the check says: ${result?.message ?? 'no result'}`);
  }
  row.seconds = (Date.now() - started) / 1000;
  if (row.problems.length === 0) rmSync(dir, { recursive: true, force: true });
  return row;
}

/** a[0], b[0], a[1], b[1], …, then what is left of the longer. */
function interleave<T>(a: T[], b: T[]): T[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => [a[i], b[i]]).flat().filter((item): item is T => item !== undefined);
}

/** Runs `work` on every item, `size` at a time. */
async function pool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

const mark = (value: boolean | undefined) => (value === undefined ? '–' : value ? '✓' : '✗');

async function main(): Promise<void> {
  const started = Date.now();
  const quick = process.argv.includes('--quick');
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const lessons = listLessons().filter((lesson) => loadChecks(`${lesson.number}-${lesson.slug}`));
  const chosen = wanted.length ? [...new Set(wanted.map((text) => findLesson(lessons, text.split('.')[0])!).filter(Boolean))] : lessons;
  const jobs = chosen.flatMap((lesson) =>
    loadChecks(`${lesson.number}-${lesson.slug}`)!
      .exercises.filter((exercise) => wanted.length === 0 || wanted.some((w) => (w.includes('.') ? `${findLesson(lessons, w.split('.')[0])?.number}.${Number(w.split('.')[1])}` === exercise.id : findLesson(lessons, w) === lesson)))
      .map((exercise) => ({ lesson, exercise })),
  );

  rmSync(scratch, { recursive: true, force: true });
  const base = path.join(scratch, 'shipped');
  await copyWorkbook(base);

  // 1. Every check fails on the lesson as it ships. Meanwhile, the workbook
  // as it ships is type-checked once, for 3 to check each solution from.
  const shipped = new Map<string, boolean>();
  const shippedChecks = pool([...new Set(jobs.map((job) => job.lesson))], 2, async (lesson) => {
    for (const result of await checkResults(base, lesson.number)) shipped.set(result.exercise, !result.passed);
  });
  await new Promise((resolve) => setImmediate(resolve)); // let the checks start first
  const types = quick ? undefined : new IncrementalTypes(base);
  await shippedChecks;
  const shippedSeconds = (Date.now() - started) / 1000;

  // 2-4. With the solution applied, in a copy of its own, in two pools at
  // once. The lesson tests (mocha runs, a round or a solution proved alone)
  // use a core for much of their run, and the robustness tests among them
  // bound a bystander's wait at 1 s: one per core (three on two cores, beside
  // the checks, made timed tests miss, and a missed round costs each of its
  // exercises a run alone). A check run (the
  // solution's, a wrong or other answer's, with the earlier solutions) is
  // mostly waiting, for an answer or for its deadline (all 50 checks as
  // shipped, 13 processes at once: 19 s of CPU in 58 s): two per core, beside them.
  const workers = Number(process.env.PROOF_WORKERS) || cpus().length + 1;
  const checkWorkers = Number(process.env.PROOF_CHECK_WORKERS) || cpus().length * 2;
  // The wrong answers, and each solution on top of the earlier lessons' solutions.
  const wrongs = jobs.flatMap(({ exercise }) => wrongAnswers(exercise.id));
  const others = jobs.flatMap(({ exercise }) => otherAnswers(exercise.id));
  const combined = jobs
    .map(({ lesson, exercise }) => ({ lesson, exercise, earlier: earlierSolutions(lesson, lessons) }))
    .filter(({ exercise, earlier }) => earlier.length > 0 && existsSync(solutionFile(exercise.id)));
  // Step 4 in rounds: the solutions that stay in their lesson, one of each lesson a round.
  const rows = jobs.map(({ exercise }): Row => ({ id: exercise.id, failsAsShipped: shipped.get(exercise.id), steps: {}, problems: [] }));
  const rounds: Array<Array<{ exercise: Exercise; lesson: LessonInfo; row: Row }>> = [];
  if (!quick) {
    const taken = new Map<string, number>();
    jobs.forEach(({ lesson, exercise }, i) => {
      if (!staysInLesson(exercise, lesson)) return;
      const round = taken.get(lesson.number) ?? 0;
      taken.set(lesson.number, round + 1);
      (rounds[round] ??= []).push({ exercise, lesson, row: rows[i] });
    });
  }
  const inRound = new Set(rounds.flat().map(({ exercise }) => exercise.id));
  // The others, each with how many other test files its tests bring in.
  const graph = importGraph(base);
  const alone = jobs
    .map((job, i) => ({ ...job, row: rows[i] }))
    .filter(({ exercise }) => !inRound.has(exercise.id))
    .map((job) => {
      const patch = solutionFile(job.exercise.id);
      const { changed, created } = existsSync(patch) ? filesOf(readFileSync(patch, 'utf8')) : { changed: [], created: [] };
      return { ...job, testFiles: [...dependents(graph, [...changed, ...created])].filter((file) => file.endsWith('.test.ts')).length };
    });
  type Job = () => Promise<unknown>;
  // The lesson tests, the longest first: the rounds, and between them the
  // solutions proved with their tests alone (the most other lessons' tests
  // first: 07.2's shared message generator brings lessons 07 to 10).
  const testRuns: Job[] = interleave(
    rounds.map((members, i): Job => () => proveRound(i + 1, members, base)),
    alone
      .sort((a, b) => b.testFiles - a.testFiles)
      .map(({ lesson, exercise, row }): Job => () => prove(exercise, lesson, shipped.get(exercise.id), base, types, row, false)),
  );
  // The check runs.
  const inRoundJobs = jobs.map((job, i) => ({ ...job, row: rows[i] })).filter(({ exercise }) => inRound.has(exercise.id));
  const checkRuns: Job[] = [
    ...inRoundJobs.map(({ lesson, exercise, row }): Job => () => prove(exercise, lesson, shipped.get(exercise.id), base, types, row, true)),
    ...wrongs.map((wrong): Job => () => proveWrong(wrong, base)),
    ...others.map((other): Job => () => proveOther(other, base)),
    ...combined.map(({ lesson, exercise, earlier }): Job => () => proveCombined(exercise, lesson, earlier, base)),
  ];
  const [, checked] = await Promise.all([pool(testRuns, workers, (job) => job()), pool(checkRuns, checkWorkers, (job) => job())]);
  const done = checked.slice(inRoundJobs.length) as Row[];
  const wrongRows = done.slice(0, wrongs.length);
  const otherRows = done.slice(wrongs.length, wrongs.length + others.length);
  const combinedRows = done.slice(wrongs.length + others.length);
  const all = [...rows, ...done];

  console.log('| exercise | fails as shipped | check passes with solution | types | lesson tests | seconds |');
  console.log('|---|:-:|:-:|:-:|:-:|--:|');
  for (const row of rows) {
    const steps = Object.entries(row.steps).map(([step, s]) => `${step} ${s.toFixed(1)}`).join(', ');
    console.log(`| ${row.id} | ${mark(row.failsAsShipped)} | ${mark(row.checkPasses)} | ${quick ? 'not run' : mark(row.typesPass)} | ${quick ? 'not run' : mark(row.testsPass)} | ${row.seconds?.toFixed(1) ?? '–'} (${steps}) |`);
  }
  if (wrongRows.length) {
    console.log('\n| wrong answer | refused, for its mistake | what the check said | seconds |');
    console.log('|---|:-:|---|--:|');
    for (const row of wrongRows) console.log(`| ${row.id} | ${mark(row.refused)} | ${(row.message ?? '').replace(/\|/g, '\\|')} | ${row.seconds?.toFixed(1) ?? '–'} |`);
  }
  if (otherRows.length) {
    console.log('\n| right answer, another way | check passes | seconds |');
    console.log('|---|:-:|--:|');
    for (const row of otherRows) console.log(`| ${row.id} | ${mark(row.checkPasses)} | ${row.seconds?.toFixed(1) ?? '–'} |`);
  }
  if (combinedRows.length) {
    console.log('\n| with the earlier lessons\' solutions | check passes | seconds |');
    console.log('|---|:-:|--:|');
    for (const row of combinedRows) console.log(`| ${row.id} | ${mark(row.checkPasses)} | ${row.seconds?.toFixed(1) ?? '–'} |`);
  }
  const missed = all.filter((row) => row.problems.length > 0);
  const total = (Date.now() - started) / 1000;
  const proved = (list: Row[]) => list.filter((row) => row.problems.length === 0).length;
  console.log(
    `\n${rows.length} exercises in ${chosen.length} lessons: ${proved(rows)} proved${quick ? ' (--quick: check only)' : ''}; ` +
      `${wrongRows.length} wrong answers: ${proved(wrongRows)} refused; ${otherRows.length} right answers written another way: ${proved(otherRows)} passed; ${combinedRows.length} with earlier solutions: ${proved(combinedRows)} passed; ` +
      `${missed.length} missed, in ${total.toFixed(0)} s (${shippedSeconds.toFixed(0)} s for the checks as shipped, then ${(total - shippedSeconds).toFixed(0)} s for the rest: lesson tests ${workers} at a time, checks ${checkWorkers} at a time)`,
  );
  for (const row of missed) console.log(`  ${row.id}: ${row.problems.join('; ')} (files kept in ${path.relative(root, row.dir ?? path.join(scratch, row.id))})`);
  for (const note of roundNotes) console.log(`  ${note}`);
  for (const row of all.filter((r) => r.flaky)) console.log(`  ${row.id}, flaky: failed once, then passed when run again: ${row.flaky!.join('; ')}`);
  if (missed.length === 0) rmSync(scratch, { recursive: true, force: true });
  process.exitCode = missed.length ? 1 : 0;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
