// shared/public.ts: a lesson's browser TypeScript, and the shared browser
// modules of shared/public/, served compiled; nothing outside those folders.
import { expect } from 'expect';
import { request } from 'node:http';
import path from 'node:path';
import { servePage } from '../../shared/public';

/** GETs a path exactly as written: fetch would resolve `..` before sending it. */
function rawGet(url: string, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { path: pathname }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

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
