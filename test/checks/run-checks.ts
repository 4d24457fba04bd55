// Runs a lesson's exercise checks in this process and says, for each, done
// or not yet and why. Used by `npm run check` (scripts/check.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import type { StartLesson } from '../../shared/run';
import { catchHandlerThrows, describeError, LessonCrash } from '../crash';
import { Check, closeSharedBrowser, NotYet, root, SERVER_ZONE, timeFactor, type Exercise, type LessonChecks } from './check';

export interface Result {
  exercise: string;
  title: string;
  passed: boolean;
  message: string;
}

/**
 * How long one check may take before it is stopped, unless it says (`ms`): longer by
 * CHECK_TIME_FACTOR, as its waits are (the proof stretches them, and a wait longer
 * than this limit could never say what it waited for).
 */
const CHECK_MS = 15_000;

export const checksFile = (lesson: string) => path.join(root, 'test', 'checks', `${lesson}.ts`);

export function loadChecks(lesson: string): LessonChecks | undefined {
  const file = checksFile(lesson);
  return existsSync(file) ? (require(file).checks as LessonChecks) : undefined;
}

/** One line for a lesson test that the exercise changes on purpose. */
export function changesNote(exercise: Exercise): string {
  if (!exercise.changes?.length) return '';
  const n = exercise.changes.length;
  return `This exercise changes the lesson's contract: ${n === 1 ? 'one lesson test fails' : `${n} lesson tests fail`} once it is done, as expected (its README names ${n === 1 ? 'it' : 'them'}).`;
}

/** Runs the checks of `lesson` ("10-users"), or only `only` ("10.5"). */
export async function runChecks(lesson: string, only?: string): Promise<Result[]> {
  const checks = loadChecks(lesson);
  if (!checks) return [];
  const exercises = checks.exercises.filter((exercise) => !only || exercise.id === only);
  const results: Result[] = [];
  const quiet = silenceConsole();
  const zone = process.env.TZ;
  process.env.TZ = SERVER_ZONE; // Node reads it again at once: new Date() is Kathmandu's from here on
  try {
    let start: StartLesson | undefined;
    let loadError = '';
    try {
      start = require(path.join(root, 'lessons', lesson, 'server')).start as StartLesson;
      if (typeof start !== 'function') loadError = `lessons/${lesson}/server.ts no longer exports a start function`;
    } catch (err) {
      loadError = `lessons/${lesson}/server.ts does not load: ${describeError(err)}`;
    }
    for (const exercise of exercises) {
      const failure = loadError || (await runOne(exercise, start!, quiet.lines));
      results.push({ exercise: exercise.id, title: exercise.title, passed: !failure, message: failure || changesNote(exercise) });
    }
  } finally {
    quiet.restore();
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
    await closeSharedBrowser();
  }
  return results;
}

/** Runs one check; resolves with why it failed, or "" when it passed. (Exported for test/fixtures/check-crash.ts.) */
export async function runOne(exercise: Exercise, start: StartLesson, logs: string[]): Promise<string> {
  logs.length = 0;
  const t = new Check(start, exercise.options, logs);
  const crash = catchCrashes();
  let timer: NodeJS.Timeout | undefined;
  const limit = (exercise.ms ?? CHECK_MS) * timeFactor;
  const tooLong = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotYet(`the check did not finish within ${limit / 1000} s`)), limit);
  });
  try {
    await Promise.race([exercise.check(t), crash.crashed, tooLong]);
    return '';
  } catch (err) {
    return err instanceof NotYet ? err.message : `the check stopped on an error: ${describeError(err)}`;
  } finally {
    clearTimeout(timer);
    await t.end();
    crash.stop();
  }
}

/**
 * A lesson that throws in a handler would end the process. While a check
 * runs, such an error fails the check instead, naming the handler, the error,
 * where it was thrown, and what the client sent (test/crash.ts).
 */
function catchCrashes(): { crashed: Promise<never>; stop(): void } {
  catchHandlerThrows();
  let fail: (err: Error) => void = () => {};
  const crashed = new Promise<never>((_, reject) => (fail = reject));
  crashed.catch(() => {});
  const onError = (err: unknown) => fail(new NotYet(err instanceof LessonCrash ? err.message : `the server crashed: ${describeError(err)}`));
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    crashed,
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

/**
 * Keeps the lesson's own logging ("client … connected") out of the results,
 * in `lines`: whatever way it prints (console.log, .info, .error, …, or
 * process.stdout.write), one entry per line.
 */
function silenceConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const methods = ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const;
  const saved = Object.fromEntries(methods.map((method) => [method, console[method]]));
  const keepText = (text: string) => void lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
  const keep = (...args: unknown[]) => keepText(format(...args));
  for (const method of methods) console[method] = keep;
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown, ...rest: unknown[]) => {
    keepText(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return {
    lines,
    restore: () => {
      Object.assign(console, saved);
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
    },
  };
}
