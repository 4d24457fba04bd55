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
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import { createServer } from 'node:http';
import { listen } from './run';

const sharedPublic = path.join(__dirname, 'public');

/** Express middleware for a lesson's public/ folder, plus the workbook's shared stylesheet. */
export function publicFolder(dir: string): express.Router {
  const router = express.Router();
  router.get(/^\/shared\/public\//, (req, res, next) => {
    const name = req.path.slice('/shared/public/'.length).replace(/\.js$/, '');
    sendCompiled(path.join(sharedPublic, `${name}.ts`), sharedPublic, res, next);
  });
  router.get(/\.js$/, (req, res, next) => {
    sendCompiled(path.join(dir, path.normalize(req.path).replace(/\.js$/, '.ts')), dir, res, next);
  });
  router.use(express.static(dir));
  router.use(express.static(sharedPublic));
  return router;
}

/** Answers with `tsFile` compiled, if it is inside `root` and exists; otherwise passes (404). */
function sendCompiled(tsFile: string, root: string, res: express.Response, next: express.NextFunction): void {
  // path.join has resolved any `..`: what is left must still be inside root.
  if (!tsFile.startsWith(root + path.sep)) return next();
  compile(tsFile).then(
    (code) => res.type('text/javascript').set('Cache-Control', 'no-cache').send(code),
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? next() : next(err)),
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
  const { code } = await swc.transform(source, {
    filename: file,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2020' },
    module: { type: 'es6' },
  });
  cache.set(file, { mtimeMs, code });
  return code;
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
