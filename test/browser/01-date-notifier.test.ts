import { expect } from 'expect';
import type { Request } from 'playwright-core';
import { useLesson } from '../helpers';
import { wasPwned } from './harness';
import { scene } from './scenes/01-date-notifier';
import { describeInBrowser } from './suite';

describeInBrowser('01 date notifier', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  /** The page with `server` in its address, exactly as given (encoded). */
  const withServer = (server: string) => `${new URL(lesson().pageUrl!).origin}/?server=${encodeURIComponent(server)}`;

  it('shows the date, updating, in two browsers at once', async () => {
    const page = await scene.play(open, lesson());
    const first = await page.locator('#date').textContent();
    await page.waitForFunction((shown) => document.querySelector('#date')?.textContent !== shown, first);
    expect(await page.locator('#date').textContent()).toMatch(/\d{1,2}:\d\d:\d\d/);
    expect(await page.locator('#server').textContent()).toBe(lesson().url);
  });

  it('refuses a server address that is not an http(s) origin: nothing runs, no script loads, the page says why', async () => {
    const { page } = await open('about:blank');
    const pageOrigin = new URL(lesson().pageUrl!).origin;
    const refused: Array<[string, RegExp]> = [
      ['data:text/javascript,window.pwned=1//', /http:\/\/ or https:\/\//],
      ['javascript:window.pwned=2//', /http:\/\/ or https:\/\//],
      [`blob:${pageOrigin}/0b4d1d2e-5f0e-4c1a-9c53-3f1e2b8a9d11`, /http:\/\/ or https:\/\//],
      ['/socket.io', /full address/],
      ['//evil.example', /full address/],
      ['http://x@evil', /user name or password/],
      [`${lesson().url}@evil.example`, /user name or password/],
      ['%%%', /full address/],
    ];
    // Every script the page asks for, its own modules aside.
    const scripts: string[] = [];
    const onRequest = (request: Request) => {
      const url = request.url();
      if (request.resourceType() === 'script' && !url.startsWith(`${pageOrigin}/app.js`)) scripts.push(url);
    };
    page.on('request', onRequest);
    try {
      for (const [server, why] of refused) {
        await page.goto(withServer(server)); // resolves on "load": a script added by then has run
        const status = (await page.locator('#status').textContent()) ?? '';
        const added = await page.evaluate(() => [...document.scripts].map((script) => script.getAttribute('src')));
        expect({ server, status, pwned: await wasPwned(page), added, scripts }).toEqual({
          server,
          status: expect.stringMatching(why),
          pwned: false,
          added: ['app.js'],
          scripts: [],
        });
        expect(await page.locator('#status.connected').count()).toBe(0);
      }
    } finally {
      page.off('request', onRequest);
    }
  });

  it('connects to an http address given with a path, a query or a trailing slash, using its origin', async () => {
    const port = new URL(lesson().url).port;
    for (const [server, origin] of [
      [`${lesson().url}/some/path?x=1#top`, lesson().url],
      [`http://127.0.0.1:${port}/`, `http://127.0.0.1:${port}`],
    ]) {
      const { page } = await open(withServer(server));
      await page.locator('#status.connected').waitFor();
      await page.waitForFunction(() => Number(document.querySelector('#count')?.textContent) >= 1);
      expect(await page.locator('#server').textContent()).toBe(origin);
      const src = await page.evaluate(() => [...document.scripts].map((script) => script.src));
      expect(src).toContain(`${origin}/socket.io/socket.io.js`);
    }
  });
});
