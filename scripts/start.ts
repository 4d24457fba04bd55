// npm start [-- NN | name] [--watch] [--list]
//   npm start              lists the lessons with your progress, and runs the
//                          first one not finished (lesson 01 on a fresh clone)
//   npm start -- 03        runs lesson 03 (or by name: npm start -- acknowledgements)
//   npm start -- 03 --watch  runs it again on every save of its server code
//   npm start -- --list    only lists
import path from 'node:path';
import type { StartLesson } from '../shared/run';
import { findLesson, listLessons, type LessonInfo } from './lessons';
import { lessonProgress, readProgress, type LessonProgress } from './progress';
import { spare, watchLesson } from './watch';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const [green, dim, bold] = [paint(32), paint(2), paint(1)];

const USAGE = `npm start [-- NN | name] [--watch] [--list]
  npm start                  lists the lessons and runs the first one not finished
  npm start -- 03            runs lesson 03 (or by name: npm start -- acknowledgements)
  npm start -- 03 --watch    runs it again each time you save its server code or shared/
  npm start -- --list        only lists the lessons`;

/** One line per lesson: number, title, checked exercises passing out of the total, summary. */
export function listing(lessons: LessonInfo[], progress: LessonProgress[]): string[] {
  const width = Math.max(...lessons.map((lesson) => lesson.title.length));
  return lessons.map((lesson, i) => {
    const { passed, total } = progress[i];
    const done = total > 0 && passed === total;
    const count = `${passed}/${total}`.padStart(5);
    return `  ${lesson.number}  ${lesson.title.padEnd(width)}  ${done ? green(`${count} ✓`) : `${count}  `}  ${dim(lesson.summary)}`;
  });
}

/** The first lesson with a checked exercise not passing yet (the last lesson once all pass). */
export function firstNotFinished(lessons: LessonInfo[], progress: LessonProgress[]): { lesson: LessonInfo; allDone: boolean } {
  const i = progress.findIndex(({ passed, total }) => passed < total);
  return i >= 0 ? { lesson: lessons[i], allDone: false } : { lesson: lessons[lessons.length - 1], allDone: true };
}

/** Runs a lesson in this process, as the lesson's own server.ts would; resolves once it listens, or could not. */
export async function runLesson(lesson: LessonInfo): Promise<void> {
  // Loaded here, not at the top: a spare process (scripts/watch.ts) must load
  // nothing of shared/ or the lesson before it is told to start it.
  const { runFromCommandLine } = require('../shared/run') as typeof import('../shared/run');
  let start: StartLesson;
  try {
    ({ start } = require(path.join(lesson.folder, 'server')) as { start: StartLesson });
  } catch (err) {
    // A syntax error, or a missing import: say where, not a stack of ts-node's frames.
    console.error(`lessons/${lesson.number}-${lesson.slug}/server.ts does not load:\n  ${describeLoadError(err)}`);
    process.exitCode = 1;
    return;
  }
  await runFromCommandLine(start);
}

function describeLoadError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const root = path.join(__dirname, '..');
  const place = (err.stack ?? '').split('\n').find((line) => line.includes(path.join(root, 'lessons')) || line.includes(path.join(root, 'shared')));
  return `${err.message.trim().split('\n').slice(0, 12).join('\n  ')}${place && !err.message.includes(root) ? `\n  ${place.trim()}` : ''}`;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--spare') return spare(runLesson);
  const flags = args.filter((arg) => arg.startsWith('-'));
  const words = args.filter((arg) => !arg.startsWith('-'));
  const unknown = flags.find((flag) => !['--watch', '--list', '--help', '-h'].includes(flag));
  if (unknown || words.length > 1 || flags.includes('--help') || flags.includes('-h')) {
    if (unknown) console.error(`Unknown option "${unknown}".`);
    else if (words.length > 1) console.error(`One lesson at a time, not ${words.join(' and ')}.`);
    (unknown || words.length > 1 ? console.error : console.log)(USAGE);
    if (unknown || words.length > 1) process.exitCode = 1;
    return;
  }
  const lessons = listLessons();
  const [wanted] = words;
  const list = flags.includes('--list');
  const watching = flags.includes('--watch');

  let lesson: LessonInfo | undefined;
  if (wanted === undefined) {
    const saved = readProgress();
    const progress = lessons.map((lesson) => lessonProgress(lesson, saved));
    console.log(`Lessons, and how many of each one's checked exercises pass ${dim('(from your latest npm run check)')}:`);
    for (const line of listing(lessons, progress)) console.log(line);
    const next = firstNotFinished(lessons, progress);
    const which = next.allDone ? `lesson ${next.lesson.number}, the last (every check passes: well done)` : `lesson ${next.lesson.number}, the first not finished`;
    if (list) {
      console.log(`\n${bold('npm start')} runs ${which}; ${bold('npm start -- 03')} runs lesson 03 (or by name: npm start -- acknowledgements).`);
      return;
    }
    console.log(`\nStarting ${which}. Another: ${bold('npm start -- 03')} (or by name: npm start -- acknowledgements).\n`);
    lesson = next.lesson;
  } else {
    lesson = findLesson(lessons, wanted);
    if (!lesson) {
      console.error(`There is no lesson "${wanted}". Try a number from ${lessons[0].number} to ${lessons[lessons.length - 1].number}, or npm start -- --list`);
      process.exitCode = 1;
      return;
    }
    if (list) {
      console.log(`  ${lesson.number}  ${lesson.title}  ${dim(lesson.summary)}`);
      return;
    }
  }
  console.log(`Lesson ${lesson.number}: ${lesson.title}`);
  if (watching) watchLesson(lesson);
  else void runLesson(lesson);
}

if (require.main === module) main();
