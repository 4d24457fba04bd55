// Drives Debian's Chromium with playwright-core, for the browser tests and
// `npm run screenshots`. Each Person is a browser context of their own (own
// cookies, own socket), and remembers anything that went wrong on the page.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserServer, type BrowserContextOptions, type Page, type Request, type WebSocket } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const SKIP_NOTE =
  `browser tests skipped: no Chromium at ${chromiumPath} ` +
  '(install it with `sudo apt-get install chromium`, or set CHROMIUM_PATH)';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ARGS });
}

/**
 * Chromium kept open for others to connect to (`connect(server.wsEndpoint())`):
 * `npm run check -- --watch` keeps one across runs, so a check does not wait
 * for Chromium to start. Closed by its owner (server.close()), not on a signal.
 */
export function launchServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: chromiumPath, args: ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
}

/** Connects to a Chromium that launchServer() started. Its close() only disconnects, closing what this side opened. */
export function connect(address: string): Promise<Browser> {
  return chromium.connect(address);
}

export interface Person {
  page: Page;
  /** Console errors, page errors, failed or off-machine requests, dialogs. */
  problems: string[];
  /** Done with this person: the page is closed, or kept blank for the next person. */
  close(): Promise<void>;
}

const isLocal = (url: string) => /^(data:|about:|blob:)/.test(url) || ['localhost', '127.0.0.1'].includes(new URL(url).hostname);

/**
 * A browser context with its one page, watched for problems, that can serve
 * one person after another. A new page costs Chromium a new renderer process
 * (about 0.3 s of CPU); a page that goes back to about:blank keeps its process,
 * and loading the next lesson page in it costs a third of that. A page is
 * used again only if nothing changed it: no options, and none of the calls
 * below (a clock, a script run before each load, permissions, a place, going
 * offline, routes of its own) was made on it.
 */
interface Slot {
  context: BrowserContext;
  page: Page;
  /** Where the page's problems go: the current person's list. */
  problems: string[];
  /** True once the page can no longer be handed to someone else. */
  changed: boolean;
  /** How many listeners the page and context had once the harness was done with them. */
  listeners: string;
  /** Socket.IO upgrades to a WebSocket under way on the page (see `settled`). */
  upgrading: Set<WebSocket>;
}

/**
 * Waits (1 s at most) until no Socket.IO connection of the page is halfway
 * through its upgrade from long-polling to a WebSocket. A page that leaves in
 * those few milliseconds leaves the server a connection it notices only at
 * the ping timeout, 45 s later: a test that closed a tab then would wait for
 * a "has left" that comes too late.
 */
async function settled(slot: Slot): Promise<void> {
  const until = Date.now() + 1000;
  while (slot.upgrading.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The listeners of the page and its context, counted by event (a test may add some, and not remove them). */
const listenerCounts = ({ page, context }: { page: Page; context: BrowserContext }) =>
  [page, context]
    .map((target) => {
      const emitter = target as unknown as NodeJS.EventEmitter; // what Playwright's objects are
      return emitter.eventNames().map((name) => `${String(name)}:${emitter.listenerCount(name)}`).join(',');
    })
    .join('|');

const spare = new WeakMap<Browser, Slot[]>();

/** Marks the slot changed when any of `methods` is called on `target`. */
function watchChanges(slot: Slot, target: object, methods: string[]): void {
  for (const name of methods) {
    const original = (target as Record<string, unknown>)[name];
    if (typeof original !== 'function') continue;
    Object.defineProperty(target, name, {
      value: (...args: unknown[]) => {
        slot.changed = true;
        return original.apply(target, args);
      },
    });
  }
}

async function openSlot(browser: Browser, options: BrowserContextOptions): Promise<Slot> {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 }, ...options });
  const page = await context.newPage();
  const slot: Slot = { context, page, problems: [], changed: Object.keys(options).length > 0, listeners: '', upgrading: new Set() };
  // Engine.IO's upgrade: the client sends "2probe", the server answers
  // "3probe", and the client says "5" (upgrade) on the new WebSocket.
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (payload === '2probe') slot.upgrading.add(socket);
      if (payload === '5') slot.upgrading.delete(socket);
    });
    socket.on('close', () => slot.upgrading.delete(socket));
  });
  // Offline-proof: anything that would leave this machine is blocked and reported.
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (isLocal(target)) return route.continue();
    slot.problems.push(`request left localhost: ${target}`);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') slot.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (err) => slot.problems.push(`page error: ${err.message}`));
  // A page that moves on (a form sent, a link followed) cancels what it was
  // still loading: that is the browser's doing, not a failure.
  let navigations = 0;
  const startedAfter = new WeakMap<Request, number>();
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations++;
    startedAfter.set(request, navigations);
  });
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    if (error === 'net::ERR_ABORTED' && startedAfter.get(request) !== navigations) return;
    // Socket.IO's client cancels its own long-poll when it upgrades to a
    // WebSocket or closes: the page's doing, not a failure.
    if (error === 'net::ERR_ABORTED' && new URL(request.url()).pathname === '/socket.io/') return;
    if (isLocal(request.url())) slot.problems.push(`request failed: ${request.url()} (${error})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) slot.problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    slot.problems.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  // From here on, what a test does to the page or its context may stay with it.
  slot.listeners = listenerCounts(slot);
  watchChanges(slot, page, ['addInitScript', 'route', 'routeFromHAR', 'exposeFunction', 'exposeBinding', 'setExtraHTTPHeaders', 'emulateMedia', 'setViewportSize']);
  watchChanges(slot, page.clock, ['install', 'setFixedTime', 'setSystemTime', 'runFor', 'fastForward', 'pauseAt']);
  watchChanges(slot, context, ['addInitScript', 'route', 'grantPermissions', 'clearPermissions', 'setGeolocation', 'setOffline', 'addCookies', 'setExtraHTTPHeaders', 'exposeBinding', 'exposeFunction']);
  return slot;
}

/** Puts a slot back for the next person, blank, or closes it if it was changed. */
async function release(browser: Browser, slot: Slot): Promise<void> {
  await settled(slot);
  slot.problems = []; // what happens from now on is nobody's
  const reusable = !slot.changed && !slot.page.isClosed() && slot.context.pages().length === 1 && listenerCounts(slot) === slot.listeners;
  if (reusable) {
    // Leaving the page closes its connections, as closing it would.
    const blank = await slot.page.goto('about:blank').then(() => true, () => false);
    if (blank) {
      await slot.context.clearCookies();
      spare.get(browser)?.push(slot) ?? spare.set(browser, [slot]);
      return;
    }
  }
  await slot.context.close();
}

/** Opens a new person (a browser context of their own) at `url`, watching for problems. */
export async function newPerson(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<Person> {
  const pooled = Object.keys(options).length === 0 ? spare.get(browser)?.pop() : undefined;
  const slot = pooled ?? (await openSlot(browser, options));
  const problems: string[] = [];
  slot.problems = problems;
  await slot.page.goto(url);
  let closed = false;
  return {
    page: slot.page,
    problems,
    close: async () => {
      if (closed) return;
      closed = true;
      await release(browser, slot);
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
