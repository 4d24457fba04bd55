// A scratch copy of the workbook's code for some lessons, to run and edit
// without touching your files: the lessons' folders, shared/, scripts/ and
// the configuration, with node_modules linked. (The tests of npm start
// --watch, and npm run bench, save files in one.)
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..');

export interface Scratch {
  dir: string;
  remove(): void;
}

export function scratchCopy(lessonFolders: string[]): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-'));
  mkdirSync(path.join(dir, 'lessons'));
  for (const folder of lessonFolders) cpSync(path.join(root, 'lessons', folder), path.join(dir, 'lessons', folder), { recursive: true });
  for (const name of ['shared', 'scripts']) cpSync(path.join(root, name), path.join(dir, name), { recursive: true });
  for (const name of ['tsconfig.json', 'package.json']) cpSync(path.join(root, name), path.join(dir, name));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
