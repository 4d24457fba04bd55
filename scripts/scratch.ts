// A scratch copy of the workbook's code for some lessons, to run and edit
// without touching your files: the lessons' folders, shared/, scripts/ and
// the configuration, with node_modules linked; with `tests`, test/ too, for
// npm run check. (The tests of the watches, and npm run bench, save files in one.)
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..');

export interface Scratch {
  dir: string;
  remove(): void;
}

export function scratchCopy(lessonFolders: string[], { tests = false } = {}): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-'));
  mkdirSync(path.join(dir, 'lessons'));
  for (const folder of lessonFolders) cpSync(path.join(root, 'lessons', folder), path.join(dir, 'lessons', folder), { recursive: true });
  for (const name of ['shared', 'scripts', ...(tests ? ['test'] : [])]) cpSync(path.join(root, name), path.join(dir, name), { recursive: true });
  for (const name of ['tsconfig.json', 'package.json']) cpSync(path.join(root, name), path.join(dir, name));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
