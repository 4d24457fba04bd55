// Stylesheets written in SCSS, compiled on the first request: a request for
// `style.css` is answered with `style.scss` compiled by Sass (the Dart Sass
// package, pure JavaScript), so there is no build step. The result is kept
// until the file, or anything it uses (`@use 'mixins'`), changes: in memory,
// and in .workbook/styles/ (git ignores it), so the next start, or the next
// test, does not load Sass again (loading it takes most of a second).
//
// A file that does not compile is answered with a stylesheet that shows the
// error at the top of the page, where you are looking, and printed once.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Where `@use 'mixins'` finds the workbook's own SCSS (shared/public/_mixins.scss). */
export const SHARED_STYLES = path.join(__dirname, 'public');

/** The workbook's folder: the cache names files from it, so copies of the workbook can share it. */
const root = path.join(__dirname, '..');
/** Where compiled stylesheets are kept between runs (WORKBOOK_STYLES moves it: the tests, and prove-exercises' copies). */
const cacheDir = () => process.env.WORKBOOK_STYLES || path.join(__dirname, '..', '.workbook', 'styles');

interface Compiled {
  css: string;
  /** Every file the stylesheet read (from the workbook's folder), with a hash of what it held. */
  used: { file: string; hash: string }[];
}

const inMemory = new Map<string, Compiled>();

/** The CSS of one SCSS file, compiled again only when a file it uses has changed. */
export async function compileStyle(file: string): Promise<string> {
  const kept = inMemory.get(file) ?? (await fromDisk(file));
  if (kept && (await unchanged(kept))) return kept.css;
  // Loaded on first use, so a lesson starts without it.
  const sass: typeof import('sass') = require('sass');
  let result;
  try {
    result = sass.compile(file, { loadPaths: [SHARED_STYLES], style: 'expanded' });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${path.relative(process.cwd(), file)} does not compile:\n${message}`);
    return errorSheet(path.basename(file), message);
  }
  const files = result.loadedUrls.filter((url) => url.protocol === 'file:').map((url) => fileURLToPath(url));
  const used = await Promise.all(files.map(async (used) => ({ file: path.relative(root, used), hash: await hashOf(used) })));
  const compiled = { css: result.css, used };
  inMemory.set(file, compiled);
  await toDisk(file, compiled);
  return compiled.css;
}

async function hashOf(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(path.resolve(root, file))).digest('hex');
}

async function unchanged({ used }: Compiled): Promise<boolean> {
  try {
    const now = await Promise.all(used.map(({ file }) => hashOf(file)));
    return now.every((hash, i) => hash === used[i].hash);
  } catch {
    return false; // a file it used is gone: compile again, and say what is missing
  }
}

const diskName = (file: string) => path.join(cacheDir(), `${createHash('sha256').update(path.relative(root, file)).digest('hex').slice(0, 16)}.json`);

async function fromDisk(file: string): Promise<Compiled | undefined> {
  try {
    return JSON.parse(await readFile(diskName(file), 'utf8')) as Compiled;
  } catch {
    return undefined; // not there yet, or unreadable: compile
  }
}

async function toDisk(file: string, compiled: Compiled): Promise<void> {
  try {
    await mkdir(cacheDir(), { recursive: true });
    const name = diskName(file);
    await writeFile(`${name}.${process.pid}`, JSON.stringify(compiled));
    await rename(`${name}.${process.pid}`, name); // whole, even with another process reading it
  } catch {
    // a read-only checkout: the cache in memory is enough
  }
}

/** A stylesheet that puts the compiler's message at the top of the page. */
function errorSheet(name: string, message: string): string {
  const text = `${name} does not compile: ${message}`.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\A ');
  return `body::before { content: "${text}"; display: block; white-space: pre-wrap; padding: 1rem; background: #fdecea; color: #8a1c1c; font: 0.9rem/1.4 monospace; }\n`;
}
