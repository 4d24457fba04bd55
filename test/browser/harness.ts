// Drives Debian's Chromium with playwright-core, for the browser tests and
// `npm run screenshots`. Each Person is a browser context of their own (own
// cookies, own socket), and remembers anything that went wrong on the page.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const SKIP_NOTE =
  `browser tests skipped: no Chromium at ${chromiumPath} ` +
  '(install it with `sudo apt-get install chromium`, or set CHROMIUM_PATH)';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface Person {
  page: Page;
  /** Console errors, page errors, failed or off-machine requests, dialogs. */
  problems: string[];
  close(): Promise<void>;
}

const isLocal = (url: string) => /^(data:|about:|blob:)/.test(url) || ['localhost', '127.0.0.1'].includes(new URL(url).hostname);

/** Opens a new person (browser context) at `url`, watching for problems. */
export async function newPerson(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  // Offline-proof: anything that would leave this machine is blocked and reported.
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (isLocal(target)) return route.continue();
    problems.push(`request left localhost: ${target}`);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    // Socket.IO's client cancels its own long-poll when it upgrades to a
    // WebSocket or closes: the page's doing, not a failure.
    if (error === 'net::ERR_ABORTED' && new URL(request.url()).pathname === '/socket.io/') return;
    if (isLocal(request.url())) problems.push(`request failed: ${request.url()} (${error})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url);
  return {
    page,
    problems,
    close: async () => {
      page.removeAllListeners();
      await context.close();
    },
  };
}

/** Text a hostile user might type: if any of it runs, it sets window.pwned. */
export const HOSTILE = [
  '<img src=x onerror="window.pwned=1">',
  '<script>window.pwned=2</script>',
  '{{{ x }}} <b onmouseover="window.pwned=3">bold?</b>',
];

/** True if hostile text ran as code on this page. */
export async function wasPwned(page: Page): Promise<boolean> {
  return page.evaluate(() => 'pwned' in window);
}
