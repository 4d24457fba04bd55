// Remembers the latest result of each exercise's check, so `npm start` can
// show how far you are. Kept in .workbook/progress.json, which git ignores.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const progressFile = path.join(__dirname, '..', '.workbook', 'progress.json');

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
