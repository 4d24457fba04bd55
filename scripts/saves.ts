// The saves both watches hear: `npm start -- NN --watch` (scripts/watch.ts)
// and `npm run check -- NN --watch` (scripts/check-watch.ts).
//
// - chokidar, not Node's own fs.watch(dir, { recursive: true }): on Node 20,
//   that one goes deaf to a file once the file is replaced instead of written
//   into (an editor's "write a temporary file, rename it over", `git stash pop`,
//   `git checkout --`), and says nothing. chokidar watches each folder and
//   file, follows a file that is replaced, and reports such an "atomic" save
//   as one change.
// - What counts: code and pages (kindOfChange). Not a lesson's data/ folder
//   (lesson 12's database, written on every message), logs, READMEs, or
//   editors' own files.
// - Editors write a file in steps: what changes within DEBOUNCE_MS counts as
//   one save, reported once with every file it touched.
import { watch } from 'chokidar';
import path from 'node:path';

export const DEBOUNCE_MS = 100;

/** What a saved file (a path relative to the workbook) calls for. */
export function kindOfChange(file: string): 'restart' | 'reload' | 'none' {
  const parts = file.split(/[\\/]/);
  const name = parts[parts.length - 1];
  if (parts.some(skippedFolder)) return 'none';
  // Editors' own files: backups (server.ts~), swap files (.server.ts.swp), vim's probe (4913).
  if (name.startsWith('.') || name.endsWith('~') || /^\d+$/.test(name)) return 'none';
  if (parts.includes('public')) return 'reload';
  return /\.(ts|js|json|mts|cts|mjs|cjs)$/.test(name) ? 'restart' : 'none';
}

/** Folders no watch looks into: packages, a lesson's data (its database), hidden ones (.git). */
const skippedFolder = (name: string) => name === 'node_modules' || name === 'data' || (name.startsWith('.') && name !== '.' && name !== '..');

export interface Saves {
  /** Resolves once every folder is watched: a save from then on is heard. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches `folders` (absolute paths inside `root`) and calls `onSave` with the
 * files of each save (relative to `root`) that kindOfChange does not rule out.
 */
export function watchSaves(root: string, folders: string[], onSave: (files: string[]) => void): Saves {
  const watcher = watch(folders, {
    ignoreInitial: true,
    // Only folders here (a file's kind is looked at below): chokidar does not look inside these.
    ignored: (file) => path.relative(root, file).split(/[\\/]/).slice(0, -1).some(skippedFolder) || skippedFolder(path.basename(file)),
  });
  const files = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', (event, file) => {
    if (event === 'addDir' || event === 'unlinkDir') return;
    const relative = path.relative(root, file);
    if (kindOfChange(relative) === 'none') return;
    files.add(relative);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const saved = [...files];
      files.clear();
      onSave(saved);
    }, DEBOUNCE_MS);
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
