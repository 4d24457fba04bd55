// shared/public.ts: a lesson's browser TypeScript, and the shared browser
// modules of shared/public/, served compiled; nothing outside those folders.
// A request that fails gets a short plain answer, and the log one line per kind.
import { expect } from 'expect';
import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_LOGGED_KINDS, publicFolder, servePage } from '../../shared/public';
import { listen } from '../../shared/run';
import { errorLines, leaks, rawRequest } from '../helpers';

const rawGet = (url: string, pathname: string) => rawRequest(url, pathname);

describe('shared/public: serving browser TypeScript', () => {
  let page: Awaited<ReturnType<typeof servePage>>;
  before(async () => {
    page = await servePage(path.join(__dirname, '../../lessons/09-rooms/public'), 0);
  });
  after(() => page.close());

  it('answers /shared/public/<name>.js, and the same without .js, with the module compiled', async () => {
    for (const name of ['chat-view.js', 'chat-view']) {
      const response = await fetch(`${page.url}/shared/public/${name}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('javascript');
      const code = await response.text();
      expect(code).toContain('export function addMessage(');
      expect(code).not.toMatch(/import type|declare const|: HTMLElement/); // types removed
    }
  });

  it("resolves a page's import of a shared module to that URL", async () => {
    const app = await (await fetch(`${page.url}/app.js`)).text();
    const specifier = app.match(/from '([^']*shared\/public\/chat-view[^']*)'/)?.[1];
    expect(specifier).toBeDefined();
    const url = new URL(specifier!, `${page.url}/app.js`);
    expect(url.pathname).toBe('/shared/public/chat-view.js');
    expect((await fetch(url)).status).toBe(200);
  });

  it('refuses paths that leave shared/public (404)', async () => {
    for (const pathname of [
      '/shared/public/../public.js', // shared/public.ts exists, but is not a browser module
      '/shared/public/../public',
      '/shared/public/../../lessons/09-rooms/events.js',
      '/shared/public/../../package.json',
      '/shared/public/..%2fpublic.js',
      '/shared/public/%2e%2e/public.js',
      '/../shared/public.js',
      '/shared/public/missing.js',
    ]) {
      const { status, body } = await rawGet(page.url, pathname);
      expect({ pathname, status }).toEqual({ pathname, status: 404 });
      expect(body).not.toContain('publicFolder');
    }
  });
});

describe('shared/public: failed requests get a short plain answer, and the log a line per kind', () => {
  let folder: string;
  let server: ReturnType<typeof createServer>;
  let url: string;

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'public-'));
    writeFileSync(path.join(folder, 'index.html'), '<!doctype html><p>hello</p>\n');
    writeFileSync(path.join(folder, 'good.ts'), 'export const x: number = 1;\n');
    writeFileSync(path.join(folder, 'broken.ts'), 'const a = 1;\nconst b = ;\n');
    mkdirSync(path.join(folder, 'folder.ts')); // there, but not a file it can read
    symlinkSync('loop.ts', path.join(folder, 'loop.ts')); // a link to itself
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  // What the app logs is not printed; the tests that look at it collect it with errorLines.
  const consoleError = console.error;
  beforeEach(() => {
    console.error = () => {};
  });
  afterEach(() => {
    console.error = consoleError;
  });

  // A new app for each test: an app logs the first error of each kind once in its life.
  beforeEach(async () => {
    const app = express();
    app.use(publicFolder(folder));
    // Routes added after publicFolder, as lessons add theirs: their errors are answered the same way.
    app.get('/throws', () => {
      throw new TypeError(`cannot read ${__filename}`);
    });
    app.get('/fails/:n', (req, res, next) => next(new Error(`failure number ${req.params.n}`)));
    app.get('/code', (req, res, next) => next(Object.assign(new Error(`EWEIRD: odd, open '${__filename}'`), { code: 'EWEIRD' })));
    app.get('/late', (req, res, next) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('half an answer');
      next(new Error('too late'));
    });
    server = createServer(app);
    url = await listen(server, 0);
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers a missing or unreadable file with a plain 404, and no path', async () => {
    for (const pathname of [
      '/good.ts/x.js', // ENOTDIR: a file where a folder would be
      `/${'a'.repeat(300)}.js`, // ENAMETOOLONG
      `/${'a'.repeat(300)}`,
      '/shared/public/chat-view.ts/x.js',
      `/shared/public/${'b'.repeat(300)}.js`,
      '/folder.js', // EISDIR
      '/loop.js', // ELOOP
      '/index.html/x',
      '/%E0%A4%A', // a malformed URL
      '/shared/public/%E0%A4%A.js',
      '/shared/public/../../package.json',
      '/missing.js',
      '/missing',
    ]) {
      const { status, type, body } = await rawGet(url, pathname);
      expect({ pathname, status, type, body, leaks: leaks(body) }).toEqual({
        pathname,
        status: 404,
        type: 'text/plain; charset=utf-8',
        body: 'Not Found\n',
        leaks: [],
      });
    }
  });

  it('answers any other error with a plain 500: no stack, no path', async () => {
    for (const pathname of ['/broken.js', '/throws', '/fails/1', '/code']) {
      const { status, type, body, headers } = await rawGet(url, pathname);
      expect({ pathname, status, type, leaks: leaks(body) }).toEqual({ pathname, status: 500, type: 'text/plain; charset=utf-8', leaks: [] });
      expect(body).toMatch(/^Internal Server Error/);
      expect(body.length).toBeLessThan(100);
      expect(headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it("keeps a client error's status, with its name as the whole body", async () => {
    const range = await rawRequest(url, '/index.html', { headers: { Range: 'bytes=100000-' } });
    expect([range.status, range.body, range.headers['content-range']]).toEqual([416, 'Range Not Satisfiable\n', 'bytes */28']);
    const head = await rawRequest(url, '/missing', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([404, '']);
  });

  it('logs one line for the first error of each kind, with its code and a short reason, then nothing more of that kind', async () => {
    const lines = await errorLines(async () => {
      for (let round = 0; round < 5; round++) {
        for (const pathname of ['/broken.js', '/throws', '/code', '/folder.js', '/loop.js', '/good.ts/x.js', '/%E0%A4%A']) await rawGet(url, pathname);
      }
    });
    expect(lines).toEqual([
      expect.stringMatching(/^GET \/broken\.js answered 500: CompileError: .*broken\.ts:2:\d+: Expression expected/),
      expect.stringMatching(/^GET \/throws answered 500: TypeError: cannot read .*, at test\/shared\/public\.test\.ts:\d+:\d+/),
      expect.stringMatching(/^GET \/code answered 500: EWEIRD, odd, at test\/shared\/public\.test\.ts:\d+:\d+ \(/), // the path left out
      expect.stringMatching(/^GET \/folder\.js answered 404: EISDIR, illegal operation on a directory \(/),
      expect.stringMatching(/^GET \/loop\.js answered 404: ELOOP, too many symbolic links encountered \(/),
    ]);
    for (const line of lines) expect(line).not.toMatch(/\n|\bat \S+ \([^)]*:\d+:\d+\)/); // one line, no stack frame
  });

  it(`logs ${MAX_LOGGED_KINDS} kinds of error at most, and says so`, async () => {
    const lines = await errorLines(async () => {
      for (let n = 0; n < MAX_LOGGED_KINDS + 10; n++) expect((await rawGet(url, `/fails/${n}`)).status).toBe(500);
    });
    expect(lines.length).toBeLessThanOrEqual(MAX_LOGGED_KINDS + 1);
    expect(lines.at(-1)).toMatch(/no more will be/);
  });

  it('ends the connection when an error comes after the answer has begun', async () => {
    const lines = await errorLines(async () => {
      await expect(rawGet(url, '/late')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    });
    expect(lines).toEqual([expect.stringMatching(/^GET \/late answered 500: Error: too late/)]);
  });
});
