// Serves a lesson's public/ folder. Browser code is written in TypeScript:
// a request for `app.js` is answered with `app.ts`, compiled on the spot
// (types removed, nothing else changed), so there is no build step.
//
// Pages may also import the workbook's shared browser modules, kept in
// shared/public/. One URL scheme serves both tsc and the browser: a page
// imports `../../../shared/public/chat-view.js`. tsc follows the path from
// lessons/NN/public/app.ts to shared/public/chat-view.ts (a `.js` import finds
// the `.ts` file); the browser resolves it from /app.js to
// /shared/public/chat-view.js (`..` stops at the root), which is answered with
// shared/public/chat-view.ts, compiled. swc keeps an import as written, so the
// same URL without `.js` is answered too. Nothing outside shared/public/ is.
//
// A request that fails gets a short plain answer, never a stack or a path
// (see answerErrorsPlainly): every lesson's app gets it from publicFolder.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from './run';
import { compileStyle } from './styles';

const sharedPublic = path.join(__dirname, 'public');

/**
 * Express middleware for a lesson's public/ folder, plus the workbook's shared
 * stylesheet. The app it is mounted in (`app.use(publicFolder(…))`) answers
 * errors plainly from then on, for every route: see answerErrorsPlainly.
 */
export function publicFolder(dir: string): express.Express {
  const folder = express(); // an app, not a Router: an app hears which app it is mounted in
  folder.get(/^\/shared\/public\//, (req, res, next) => {
    const name = req.path.slice('/shared/public/'.length).replace(/\.js$/, '');
    sendCompiled(path.join(sharedPublic, `${name}.ts`), sharedPublic, res, next);
  });
  folder.get(/\.js$/, (req, res, next) => {
    sendCompiled(path.join(dir, path.normalize(req.path).replace(/\.js$/, '.ts')), dir, res, next);
  });
  // A stylesheet written in SCSS (style.scss, or the workbook's workbook.scss) is compiled: see styles.ts.
  folder.get(/\.css$/, (req, res, next) => {
    const name = path.normalize(req.path).replace(/\.css$/, '.scss');
    sendStyle([path.join(dir, name), path.join(sharedPublic, name)], [dir, sharedPublic], res, next);
  });
  folder.use(express.static(dir));
  folder.use(express.static(sharedPublic));
  folder.on('mount', (app: express.Application) => answerErrorsPlainly(app));
  return folder;
}

/** Answers with the first of `files` that exists (inside its root), compiled from SCSS; otherwise passes. */
function sendStyle(files: string[], roots: string[], res: express.Response, next: express.NextFunction): void {
  const found = files.findIndex((file, i) => file.startsWith(roots[i] + path.sep) && existsSync(file));
  if (found < 0) return next(); // no .scss: a plain .css file, if there is one
  compileStyle(files[found]).then(
    (css) => res.type('text/css').set('Cache-Control', 'no-cache').send(css),
    (err: unknown) => next(err),
  );
}

/** A path that names no file: not there, under a file (`app.ts/x`), or too long. */
const NOT_THERE = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG']);

/** Answers with `tsFile` compiled, if it is inside `root` and exists; otherwise passes (404). */
function sendCompiled(tsFile: string, root: string, res: express.Response, next: express.NextFunction): void {
  // path.join has resolved any `..`: what is left must still be inside root.
  if (!tsFile.startsWith(root + path.sep)) return next();
  compile(tsFile).then(
    (code) => res.type('text/javascript').set('Cache-Control', 'no-cache').send(code),
    (err: NodeJS.ErrnoException) => (NOT_THERE.has(err.code ?? '') ? next() : next(err)),
  );
}

const cache = new Map<string, { mtimeMs: number; code: string }>();

/** Compiles one browser TypeScript file to a JavaScript module (cached until the file changes). */
export async function compile(file: string): Promise<string> {
  const { mtimeMs } = await stat(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.code;
  const source = await readFile(file, 'utf8');
  // Loaded on first use, so a lesson starts without it.
  const swc: typeof import('@swc/core') = require('@swc/core');
  let code: string;
  try {
    ({ code } = await swc.transform(source, {
      filename: file,
      sourceMaps: 'inline',
      jsc: { parser: { syntax: 'typescript' }, target: 'es2020' },
      module: { type: 'es6' },
    }));
  } catch (err) {
    throw compileError(file, err);
  }
  cache.set(file, { mtimeMs, code });
  return code;
}

/**
 * swc's error, in one line: "lessons/01-…/public/app.ts:2:11: Expression
 * expected". (Its message also has a code frame and a native backtrace.)
 */
function compileError(file: string, err: unknown): Error {
  const message = String((err as Error)?.message ?? err);
  const what = message.match(/^\s*x (.+)$/m)?.[1] ?? message.trim().split('\n')[0];
  const where = message.match(/,-\[(.+):(\d+):(\d+)\]/);
  const at = where ? `${path.relative(process.cwd(), where[1])}:${where[2]}:${where[3]}` : path.relative(process.cwd(), file);
  const error = new Error(`${at}: ${what}`);
  error.name = 'CompileError';
  return error;
}

/**
 * Serves a public/ folder on a port of its own, for a lesson whose Socket.IO
 * server serves no pages (lesson 01). Resolves once it is listening.
 */
export async function servePage(dir: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(publicFolder(dir));
  const server = createServer(app);
  const url = await listen(server, port);
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Errors a file gives that is there but cannot be read. With NOT_THERE, they are a 404. */
const UNREADABLE = new Set(['EACCES', 'EPERM', 'EISDIR', 'ELOOP']);

/** How many kinds of error an app logs, at most: the first of each kind. */
export const MAX_LOGGED_KINDS = 20;

type Handle = (req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void) => void;
const answersPlainly = Symbol('answers errors plainly');

/**
 * Gives `app` a last word of its own, after every route it has or will get,
 * in place of Express's. Express's shows the error's stack, file paths in it,
 * to whoever asked (unless NODE_ENV is production), and prints every error in
 * full: a client that asks for a broken path in a loop fills the terminal.
 * This one answers:
 * - nothing matched, or a missing or unreadable file: 404 "Not Found";
 * - an error that says it is the client's (a 4xx status, like 416 for a Range
 *   past the end of a file): that status, with its name;
 * - any other error: 500 "Internal Server Error".
 * The body is that short text, nothing else. The server prints one line for
 * the first error of each kind (its code, or its name and message), and
 * nothing for the next ones.
 */
export function answerErrorsPlainly(app: express.Application): void {
  const target = app as unknown as { handle: Handle; [answersPlainly]?: true };
  if (target[answersPlainly]) return;
  target[answersPlainly] = true;
  const log = logOnceEachKind();
  const handle = target.handle;
  // Express calls app.handle(req, res) for every request; without a callback,
  // its own final handler answers whatever no route did. (A callback means
  // the app is mounted in another, whose last word is the one that counts.)
  target.handle = function (req, res, callback) {
    handle.call(this, req, res, callback ?? ((err?: unknown) => lastWord(err, req, res, log)));
  };
}

/** The status for a request no route answered (`err` undefined) or that failed with `err`. */
function statusFor(err: unknown): number {
  if (!err) return 404;
  const { code, status, statusCode } = err as { code?: unknown; status?: unknown; statusCode?: unknown };
  if (typeof code === 'string' && (NOT_THERE.has(code) || UNREADABLE.has(code))) return 404;
  const given = status ?? statusCode;
  return typeof given === 'number' && Number.isInteger(given) && given >= 400 && given < 500 ? given : 500;
}

function lastWord(err: unknown, req: IncomingMessage, res: ServerResponse, log: (err: unknown, what: string) => void): void {
  const status = statusFor(err);
  const url = (req as express.Request).originalUrl ?? req.url ?? '';
  if (err) log(err, `${req.method} ${printable(url, 60)} answered ${status}`);
  if (res.headersSent) {
    // Too late for another answer: end the connection, so the client sees it failed.
    req.socket.destroy();
    return;
  }
  const body = status === 500 ? "Internal Server Error (the server's terminal says more)\n" : `${STATUS_CODES[status]}\n`;
  for (const name of ['Content-Encoding', 'Content-Language', 'Content-Range']) res.removeHeader(name);
  // A 416's Content-Range says how long the file is: the one header an error may bring.
  const range = status === 416 ? (err as { headers?: Record<string, unknown> }).headers?.['Content-Range'] : undefined;
  if (typeof range === 'string') res.setHeader('Content-Range', range);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'");
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * A logger that prints the first error of each kind in one line, and no more
 * of that kind: a client can repeat a bad request, not fill the terminal. At
 * most MAX_LOGGED_KINDS kinds, for the same reason.
 */
function logOnceEachKind(): (err: unknown, what: string) => void {
  const seen = new Set<string>();
  return (err, what) => {
    const kind = kindOf(err);
    if (seen.has(kind) || seen.size > MAX_LOGGED_KINDS) return;
    seen.add(kind);
    if (seen.size > MAX_LOGGED_KINDS) {
      console.error(`${MAX_LOGGED_KINDS} kinds of errors logged: no more will be`);
      return;
    }
    console.error(`${what}: ${describeError(err)} (logged once: the next like it are not)`);
  };
}

/** An error's kind: its code ("ENOTDIR"), or else its name and message. */
function kindOf(err: unknown): string {
  const { code, name, message } = (err ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && code) return printable(code, 40);
  return printable(`${String(name ?? 'Error')}: ${String(message ?? err)}`, 120);
}

/**
 * What went wrong, in one short line: "ENOTDIR, not a directory", without the
 * path the message names; and where, when the error was thrown in the
 * workbook's own code: "TypeError: x is not a function, at lessons/09-rooms/server.ts:61:5".
 */
function describeError(err: unknown): string {
  const { code, name, message, stack } = (err ?? {}) as { code?: unknown; name?: unknown; message?: unknown; stack?: unknown };
  const text = String(message ?? err);
  // A system error's message: "ENOTDIR: not a directory, stat '/work/…/x.ts'".
  const system = typeof code === 'string' ? text.match(/^[A-Z0-9_]+: (.*?)(, \w+( '.*)?)?$/s) : null;
  const what = system ? `${code}, ${system[1]}` : `${String(name ?? 'Error')}${typeof code === 'string' ? ` ${code}` : ''}: ${text.split('\n')[0]}`;
  // The first frame in the workbook's code, this file aside (its errors say where already).
  const frame =
    typeof stack === 'string'
      ? stack.split('\n').find((line) => /^\s+at /.test(line) && !/node_modules|node:|\(native\)/.test(line) && !line.includes(__filename))
      : undefined;
  const file = frame?.match(/\(?([^\s()]+):(\d+):(\d+)\)?$/);
  const at = file ? `, at ${path.relative(process.cwd(), file[1])}:${file[2]}:${file[3]}` : '';
  return printable(what, 160) + at;
}

/** `text` on one line, shortened to `max` characters, control characters shown as "?". */
function printable(text: string, max: number): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
