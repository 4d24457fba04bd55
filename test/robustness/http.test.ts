// 5. Hundreds of bad HTTP requests to every lesson's web server: malformed
// URLs, paths that leave the folder, paths that name no file (under a file,
// too long), ranges past the end. Each gets a short plain answer, with no
// stack, no path and no HTML, and the server logs one line for each kind of
// error, not one for each request.
import { expect } from 'expect';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RunningLesson } from '../../shared/run';
import { errorLines, leaks, rawRequest, type Answer } from '../helpers';
import { targets } from './targets';
import { catchProcessErrors } from './watch';

interface Bad {
  path: string;
  method?: string;
  headers?: OutgoingHttpHeaders;
}

const long = (name: string, n: number) => name.repeat(n);
const BAD: Bad[] = [
  // No such file: under a file, too long a name, or just not there.
  ...['/app.ts/x.js', '/index.html/x.js', '/index.html/x', '/workbook.css/x', '/shared/public/chat-view.ts/x.js'],
  ...[`/${long('a', 300)}.js`, `/${long('a', 300)}`, `/${long('ab/', 2000)}x.js`, `/shared/public/${long('b', 300)}.js`, `/shared/public/${long('b', 300)}`],
  ...['/nope', '/nope.js', '/.git/config', '/.env'],
  // Malformed percent-encoding, and NUL bytes.
  ...['/%E0%A4%A', '/%E0%A4%A.js', '/shared/public/%E0%A4%A.js', '/shared/public/%E0%A4%A', '/%', '/%zz.js', '/%00', '/%00.js', '/app.js%00'],
  // Leaving the folder.
  ...['/..', '/../server.ts', '/../server.js', '/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/.%2e/server.js'],
  ...['/shared/public/../public.js', '/shared/public/../../package.json', '/shared/public/..%2f..%2fpackage.json', '/vendor/../../../package.json'],
  // Ranges past the end, preconditions that fail.
  ...['/index.html', '/workbook.css', '/app.js', '/vendor/mustache.js'].map((path) => ({ path, headers: { Range: 'bytes=100000000-' } })),
  ...['/index.html', '/vendor/moment.js'].map((path) => ({ path, headers: { 'If-Match': '"nope"' } })),
  // Methods nobody serves.
  { path: '/app.js', method: 'POST' },
  { path: '/', method: 'DELETE' },
  { path: '/%E0%A4%A', method: 'HEAD' },
  { path: `/${long('a', 300)}.js`, method: 'HEAD' },
].map((bad) => (typeof bad === 'string' ? { path: bad } : bad));
const ROUNDS = Number(process.env.HTTP_ROUNDS ?? 6);
const AT_ONCE = 10;

/** Sends every bad request to every origin, AT_ONCE at a time. */
async function sendAll(origins: string[], answers: Array<Bad & Answer & { origin: string }>): Promise<void> {
  const requests = origins.flatMap((origin) => BAD.map((bad) => ({ origin, ...bad })));
  for (let i = 0; i < requests.length; i += AT_ONCE) {
    await Promise.all(
      requests.slice(i, i + AT_ONCE).map(async (bad) => answers.push({ ...bad, ...(await rawRequest(bad.origin, bad.path, bad)) })),
    );
  }
}

for (const target of targets) {
  describe(`robustness: ${target.lesson} answers ${BAD.length} bad HTTP requests, ${ROUNDS} times each`, function () {
    this.timeout(60_000);
    let lesson: RunningLesson;
    let watch: ReturnType<typeof catchProcessErrors>;
    before(async () => {
      watch = catchProcessErrors();
      lesson = await target.start()({ ...target.options, port: 0 });
    });
    after(async () => {
      await lesson?.close();
      watch?.stop();
    });

    it('with a short plain answer each (no stack, no path, no 500), and at most one log line per kind of error', async () => {
      // The page's server, and the Socket.IO server where it is another (lesson 01).
      const origins = [...new Set([lesson.url, new URL(lesson.pageUrl ?? lesson.url).origin])];
      const answers: Array<Bad & Answer & { origin: string }> = [];
      const first = await errorLines(() => sendAll(origins, answers));
      const again = await errorLines(async () => {
        for (let round = 1; round < ROUNDS; round++) await sendAll(origins, answers);
      });

      const wrong = answers
        .filter(({ status, type, body }) => status >= 500 || (status >= 400 && (leaks(body).length > 0 || /html/.test(type ?? '') || body.length > 100)))
        .map(({ method = 'GET', path, status, type, body }) => ({ request: `${method} ${path.slice(0, 40)}`, status, type, leaks: leaks(body) }));
      expect(wrong.slice(0, 5)).toEqual([]);
      // One line per kind: the first round logs a kind once at most; the rounds after it, nothing.
      expect(new Set(first).size).toBe(first.length);
      expect(first.length).toBeLessThanOrEqual(BAD.length);
      for (const line of first) expect(line).not.toMatch(/\n/);
      expect(again).toEqual([]);
      expect(watch.errors).toEqual([]);
    });
  });
}
