// Remembers the latest result of each exercise's check, so `npm start` can
// show how far you are. Kept in .workbook/progress.json, which git ignores
// (WORKBOOK_PROGRESS names another file: the tests use a fresh one).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LessonInfo } from './lessons';

export const progressFile = process.env.WORKBOOK_PROGRESS || path.join(__dirname, '..', '.workbook', 'progress.json');

export interface Progress {
  [exercise: string]: { passed: boolean; checkedAt: string };
}

export function readProgress(): Progress {
  try {
    return JSON.parse(readFileSync(progressFile, 'utf8')) as Progress;
  } catch {
    return {}; // no check run yet, or a file that is not ours
  }
}

/** Adds the latest results to what was saved before. */
export function saveProgress(results: Array<{ exercise: string; passed: boolean }>): void {
  if (results.length === 0) return;
  const progress = readProgress();
  const checkedAt = new Date().toISOString();
  for (const { exercise, passed } of results) progress[exercise] = { passed, checkedAt };
  mkdirSync(path.dirname(progressFile), { recursive: true });
  writeFileSync(progressFile, `${JSON.stringify(progress, null, 2)}\n`);
}

export interface LessonProgress {
  /** Checked exercises whose latest check passed. */
  passed: number;
  /** Checked exercises (those with a check; not the ones to explore). */
  total: number;
}

/**
 * The ids of a lesson's checked exercises, read from its checks file
 * (`id: '05.2'`) rather than loaded: loading all eleven takes seconds, and
 * `npm start` lists them all. test/workbook/start.test.ts holds this to the
 * loaded checks.
 */
export function checkedExercises(lesson: LessonInfo): string[] {
  const file = path.join(__dirname, '..', 'test', 'checks', `${lesson.number}-${lesson.slug}.ts`);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return [...new Set([...source.matchAll(/\bid:\s*'(\d\d\.\d+)'/g)].map((match) => match[1]))];
}

/** How many of a lesson's checked exercises passed at their latest check. */
export function lessonProgress(lesson: LessonInfo, progress: Progress = readProgress()): LessonProgress {
  const ids = checkedExercises(lesson);
  return { passed: ids.filter((id) => progress[id]?.passed === true).length, total: ids.length };
}
