// npm run check [-- NN | NN.K] [--watch] [--json]
// Checks your answers to a lesson's exercises (all lessons without NN): one
// line per exercise, done (✓) or not yet (✗) with what was expected and what
// happened. --watch checks again on every save (scripts/check-watch.ts);
// --json prints the results as [{ exercise, title, passed, message }].
import { existsSync } from 'node:fs';
import { changesNote, checksFile, loadChecks, runChecks, type Result } from '../test/checks/run-checks';
import { checkSpare, watchChecks } from './check-watch';
import { findLesson, listLessons, type LessonInfo } from './lessons';
import { saveProgress } from './progress';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const [green, yellow, dim, bold] = [paint(32), paint(33), paint(2), paint(1)];

interface Selection {
  lesson: LessonInfo;
  only?: string;
}

/** What the arguments ask for: lessons, or single exercises ("10.5"). Exits on a wrong one. */
function select(args: string[]): Selection[] {
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  // The lessons with checks: their files are there (loading them all would load lessons the run does not need).
  const lessons = listLessons().filter((lesson) => existsSync(checksFile(`${lesson.number}-${lesson.slug}`)));
  if (wanted.length === 0) return lessons.map((lesson) => ({ lesson }));
  return wanted.map((text) => {
    const [number, part] = text.split('.');
    const lesson = findLesson(lessons, number);
    if (!lesson) stop(`There is no lesson "${text}" with exercises to check. Try a number from ${lessons[0].number} to ${lessons.at(-1)!.number}.`);
    if (part === undefined) return { lesson };
    const only = `${lesson.number}.${Number(part)}`;
    const checks = loadChecks(`${lesson.number}-${lesson.slug}`)!;
    if (!checks.exercises.some((exercise) => exercise.id === only)) {
      const explore = checks.explore?.[only];
      stop(
        explore
          ? `Exercise ${only} (${explore}) is one to explore: it has no check. Its answer is in the lesson's hints.`
          : `Lesson ${lesson.number} has no exercise ${only} to check. Its checked exercises are ${checks.exercises.map((e) => e.id).join(', ')}.`,
      );
    }
    return { lesson, only };
  });
}

function stop(message: string): never {
  console.error(message);
  process.exit(1);
}

/** Checks what `args` ask for, and says how it went. */
async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const selections = select(args);
  const all: Result[] = [];
  for (const { lesson, only } of selections) {
    const folder = `${lesson.number}-${lesson.slug}`;
    if (!json) console.log(bold(`${lesson.number} · ${lesson.title}`));
    const started = Date.now();
    const results = await runChecks(folder, only);
    all.push(...results);
    if (json) continue;
    const checks = loadChecks(folder)!;
    for (const result of results) {
      const exercise = checks.exercises.find((e) => e.id === result.exercise)!;
      if (result.passed) console.log(`  ${green('✓')} ${result.exercise} ${result.title}`);
      else console.log(`  ${yellow('✗')} ${result.exercise} ${result.title}: ${result.message}`);
      const note = changesNote(exercise);
      if (note) console.log(dim(`      ${note}`));
    }
    if (!only) {
      for (const [id, title] of Object.entries(checks.explore ?? {})) console.log(dim(`  · ${id} ${title} (explore: no check)`));
    }
    const done = results.filter((result) => result.passed).length;
    console.log(dim(`  ${done} of ${results.length} done (${((Date.now() - started) / 1000).toFixed(1)} s)\n`));
  }
  saveProgress(all);
  if (json) {
    console.log(JSON.stringify(all, null, 2));
    return;
  }
  const stuck = all.find((result) => !result.passed);
  if (stuck) console.log(`Stuck on one? ${bold(`npm run solution -- ${stuck.exercise}`)} shows a reference answer.`);
}

/** Runs main(args), then ends the process: a lesson's stray timer must not keep the checks waiting. */
function checkAndExit(args: string[]): Promise<void> {
  return main(args).then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--spare') checkSpare(checkAndExit);
  else if (args.includes('--watch')) watchChecks(select(args).map(({ lesson }) => lesson), args.filter((arg) => arg !== '--watch'));
  else void checkAndExit(args);
}
