// What a lesson's exercise checks are made of. `npm run check -- 10` runs the
// checks in test/checks/10-users.ts against the lesson as it is now. A check
// starts the lesson in this process on a free port, talks to it over real
// sockets (or in Chromium, for the page), and fails with one plain sentence:
// what was expected and what happened. It never reads the learner's source.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { RunningLesson, StartLesson } from '../../shared/run';

export const root = path.join(__dirname, '..', '..');

/** One exercise that builds something, and how to tell that it is built. */
export interface Exercise {
  /** "10.5": the lesson's number, then the exercise's number in its README. */
  id: string;
  /** A few words, as in the README. */
  title: string;
  /** Options for the lesson's start(), say a tighter rate limit. */
  options?: object;
  /**
   * Lesson tests that a correct answer makes fail on purpose, because the
   * exercise changes the lesson's contract: each a test's full title, as
   * mocha prints it ("10 users sends the room its user list …").
   */
  changes?: string[];
  /** How long the check may take, in ms, if more than the usual 15 s (one that restarts a worker). */
  ms?: number;
  check(t: Check): Promise<void>;
}

/** A lesson's exercises: those with a check, and the ones to explore (no check). */
export interface LessonChecks {
  lesson: string; // "10-users"
  exercises: Exercise[];
  /** Exercises that ask you to watch or explain, by id: their title. */
  explore?: Record<string, string>;
}

/**
 * Text that runs script if a page puts it in as HTML: a name, a room or a
 * message a hostile classmate would choose. `t.expectNoScript(page, …)` tells.
 */
export const HOSTILE = '<img src=x onerror="window.pwned=1">';

/** The one sentence a check fails with. Not a crash: the exercise is not done yet. */
export class NotYet extends Error {}

/** Fails the check with `sentence`, unless `condition` holds. */
export function expectThat(condition: unknown, sentence: string): asserts condition {
  if (!condition) throw new NotYet(sentence);
}

/** A value as a learner would write it, cut short: {"ok":true,"text":"hi"}. */
export function show(value: unknown, max = 90): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * True when `value` has what `want` has: the same numbers, strings and
 * arrays (in order), and every field of each object, in any order. With
 * `exactly`, objects may have no other fields.
 */
export function matches(value: unknown, want: unknown, exactly = false): boolean {
  if (Array.isArray(want)) return Array.isArray(value) && value.length === want.length && want.every((item, i) => matches(value[i], item, exactly));
  if (want && typeof want === 'object') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
    const fields = Object.keys(want);
    if (exactly && Object.keys(value).length !== fields.length) return false;
    return fields.every((field) => matches((value as Record<string, unknown>)[field], (want as Record<string, unknown>)[field], exactly));
  }
  return Object.is(value, want);
}

/** `event(arg, …)` as a client would send it, for sentences. */
export function call(event: string, args: unknown[]): string {
  return `${event}(${args.map((arg) => show(arg, 40)).join(', ')})`;
}

export type Client = Socket<any, any>;

/**
 * How much longer than usual every wait may take: CHECK_TIME_FACTOR=3 on a
 * busy machine (the proof sets it, since it runs several checks at once).
 * Only waits for what must come are stretched; a fixed pause is not.
 */
/**
 * Checks run the lesson in one time zone and its pages in another, neither of
 * them UTC: an answer that only works where the clocks say UTC, or where
 * server and browser agree, is not done. (Half-hour and 45-minute offsets,
 * so that a rounded offset shows too.)
 */
export const SERVER_ZONE = 'Asia/Kathmandu'; // UTC+05:45
export const BROWSER_ZONE = 'America/St_Johns'; // UTC-03:30 (-02:30 in summer)

export const timeFactor = Math.max(1, Number(process.env.CHECK_TIME_FACTOR) || 1);
const within = (ms: number) => ms * timeFactor;
const seconds = (ms: number) => `${ms / 1000} s`;

/** `promise`, marked as handled: a check that fails before awaiting it leaves no rejection behind. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** A program a check started, and what it printed. */
export interface Program {
  /** What it printed so far (stdout), line by line, blank lines left out. */
  lines(): string[];
  /** Waits until a line printed after the first `after` lines matches; fails with what it printed instead. */
  prints(pattern: RegExp, after: number, what: string, ms?: number): Promise<void>;
  /** Types a line into it, as at a terminal. */
  type(line: string): void;
}

let browser: Promise<Browser> | undefined;
let browserServer: (() => Promise<string>) | undefined;

/**
 * Checks connect to the Chromium at the address `address()` gives, instead of
 * launching their own: `npm run check -- --watch` keeps one open across runs.
 */
export function useBrowserServer(address: () => Promise<string>): void {
  browserServer = address;
}

/** Chromium, launched (or connected to) on first use and shared by every check of a run. */
export function sharedBrowser(): Promise<Browser> {
  browser ??= import('../browser/harness').then(async ({ hasChromium, launch, connect, SKIP_NOTE }) => {
    if (!hasChromium) throw new NotYet(SKIP_NOTE.replace('browser tests skipped', 'this check needs Chromium'));
    return browserServer ? connect(await browserServer()) : launch();
  });
  return browser;
}

export async function closeSharedBrowser(): Promise<void> {
  const launched = browser;
  browser = undefined;
  await launched?.then((b) => b.close()).catch(() => {});
}

/**
 * What a check works with: the lesson, clients that are closed when it ends,
 * and asking and waiting that fail with a sentence instead of a stack trace.
 */
export class Check {
  private readonly lessons: RunningLesson[] = [];
  private readonly clients: Client[] = [];
  private readonly closers: Array<() => Promise<void>> = [];
  /** Everything each client received since it connected: [event, ...args]. */
  private readonly logOf = new Map<Client, unknown[][]>();
  private readonly names = new Map<Client, string>();

  constructor(
    private readonly startLesson: StartLesson,
    private readonly options: object = {},
    /** Every line the lesson printed (console.log, console.error) during the check. */
    readonly logs: string[] = [],
  ) {}

  /** Starts the lesson on a free port (with the exercise's options, and `more`). */
  async start(more: object = {}): Promise<RunningLesson> {
    let lesson: RunningLesson;
    try {
      lesson = await this.startLesson({ ...this.options, ...more, port: 0 });
    } catch (err) {
      throw new NotYet(`the lesson did not start: ${(err as Error)?.message ?? err}`);
    }
    this.lessons.push(lesson);
    return lesson;
  }

  /** The lesson started first (started now if need be). */
  async lesson(): Promise<RunningLesson> {
    return this.lessons[0] ?? this.start();
  }

  /**
   * Connects a client to the lesson (or to `url`) and waits until it is
   * connected. `listen` attaches listeners before it connects, so nothing
   * sent on connection (a welcome) is missed.
   */
  async connect(
    listen: (client: Client) => void = () => {},
    { as, ...options }: Partial<ManagerOptions & SocketOptions> & { url?: string; as?: string } = {},
  ): Promise<Client> {
    const url = options.url ?? (await this.lesson()).url;
    const client = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false, ...options });
    this.clients.push(client);
    const log: unknown[][] = [];
    this.logOf.set(client, log);
    this.names.set(client, as ?? `client ${this.clients.length}`);
    client.onAny((event: string, ...args: unknown[]) => log.push([event, ...args]));
    listen(client);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new NotYet(`a client could not connect to the lesson within ${seconds(within(2000))}`)), within(2000));
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('connect_error', (err: Error) => {
        clearTimeout(timer);
        reject(new NotYet(`a client could not connect to the lesson: ${err.message}`));
      });
      client.connect();
    });
    return client;
  }

  /**
   * Sends `event(...args)` with an acknowledgement and resolves with the
   * answer. No answer within `ms`, or "unknown event" (the server has no
   * handler for it yet), fails the check, naming the request.
   */
  async ask(client: Client, event: string, args: unknown[], ms = 1000): Promise<any> {
    let reply: any;
    try {
      reply = await client.timeout(within(ms)).emitWithAck(event, ...args);
    } catch {
      throw new NotYet(`${call(event, args)} got no answer within ${seconds(within(ms))}`);
    }
    if (reply?.ok === false && reply.error === `unknown event "${event}"`) {
      throw new NotYet(`the server does not handle "${event}" yet: it answered ${call(event, args)} with ${show(reply)}`);
    }
    return reply;
  }

  /**
   * Waits for the next `event` on `client` for which `match` holds, and
   * resolves with its arguments. None within `ms` fails with
   * "expected `what`; …", saying what did arrive instead.
   */
  next(client: Client, event: string, what: string, match: (...args: any[]) => boolean = () => true, ms = 1000): Promise<any[]> {
    const arrival = new Promise<any[]>((resolve, reject) => {
      const seen: string[] = [];
      const listener = (...args: any[]) => {
        if (!match(...args)) return void seen.push(show(args.length === 1 ? args[0] : args, 60));
        clearTimeout(timer);
        client.off(event, listener);
        resolve(args);
      };
      const timer = setTimeout(() => {
        client.off(event, listener);
        const instead = seen.length ? `"${event}" came with ${seen.slice(0, 3).join(', ')}` : `no "${event}" came`;
        reject(new NotYet(`expected ${what}; ${instead} within ${seconds(within(ms))}`));
      }, within(ms));
      client.on(event, listener);
    });
    return handled(arrival); // awaited later, perhaps: until then a timeout is no unhandled rejection
  }

  /** Asks `event(...args)` and expects `{ ok: true }`, with any more fields; resolves with the answer. */
  async expectOk(client: Client, event: string, args: unknown[], ms?: number): Promise<any> {
    const reply = await this.ask(client, event, args, ms);
    expectThat(reply?.ok === true, `${call(event, args)} was answered ${show(reply)}; expected { ok: true }`);
    return reply;
  }

  /** Asks `event(...args)` and expects `{ ok: false, error }`, with any error; `why` says why it is bad. */
  async expectRefusal(client: Client, event: string, args: unknown[], why: string, ms?: number): Promise<void> {
    const reply = await this.ask(client, event, args, ms);
    expectThat(
      reply?.ok === false && typeof reply.error === 'string' && reply.error.length > 0,
      `${call(event, args)} was answered ${show(reply)}; ${why}, so it should be refused with { ok: false, error: "…" }`,
    );
  }

  /** Asks `event(...args)` and expects `want` back: its fields in any order, and any more the learner adds. */
  async expectAnswer(client: Client, event: string, args: unknown[], want: unknown): Promise<void> {
    const reply = await this.ask(client, event, args);
    expectThat(matches(reply, want), `${call(event, args)} was answered ${show(reply)}; expected ${show(want)}`);
  }

  /**
   * One request and its answer on `client`'s own connection. The server
   * writes to a client in order, so whatever it sent that client before has
   * arrived once this resolves. (An unknown event: any answer will do.)
   */
  async roundTrip(client: Client): Promise<void> {
    await client.timeout(within(2000)).emitWithAck('round trip').catch(() => {});
  }

  /** Waits until the lesson has `count` sockets connected (pages included). */
  async connections(count: number, ms = 3000): Promise<void> {
    const sockets = (await this.lesson()).io!.of('/').sockets;
    const until = Date.now() + within(ms);
    while (sockets.size < count) {
      expectThat(Date.now() < until, `expected ${count} connections to the lesson; ${sockets.size} came within ${seconds(within(ms))}`);
      await this.pause(20);
    }
  }

  /** Waits for a line the lesson prints, from `logs[from]` on, that `match`es; resolves with it, or undefined. */
  async printed(from: number, match: (line: string) => boolean, ms = 1000): Promise<string | undefined> {
    const until = Date.now() + within(ms);
    for (;;) {
      const line = this.logs.slice(from).find(match);
      if (line !== undefined || Date.now() > until) return line;
      await this.pause(10);
    }
  }

  /** The lines the lesson printed from `logs[from]` on, quoted, for a sentence. */
  linesSince(from: number): string {
    const lines = this.logs.slice(from);
    return lines.length ? show(lines, 160) : 'nothing';
  }

  /** Waits until `page` shows `text`; fails naming who should have seen it. */
  async shows(page: Page, text: string | RegExp, who: string, ms = 2000): Promise<void> {
    try {
      await page.getByText(text).first().waitFor({ timeout: within(ms) });
    } catch {
      throw new NotYet(`${who} should show "${typeof text === 'string' ? show(text, 40).slice(1, -1) : text.source}"; it did not within ${seconds(within(ms))}`);
    }
  }

  /**
   * Runs a TypeScript program of the workbook (`file`, from the top folder)
   * with ts-node, as a learner would from a terminal. Stopped when the check ends.
   */
  run(file: string, args: string[] = []): Program {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', path.join(root, file), ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    this.onEnd(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    });
    let out = '';
    let err = '';
    let exited: number | null | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('exit', (code) => (exited = code));
    child.stdin.on('error', () => {}); // typing into a program that has stopped
    const lines = () => out.split('\n').filter((line) => line.trim() !== '');
    const command = `npx ts-node ${file} ${args.join(' ')}`.trim();
    return {
      lines,
      type: (line) => void child.stdin.write(`${line}\n`),
      prints: async (pattern, after, what, ms = 5000) => {
        const until = Date.now() + within(ms); // ts-node takes a moment to start
        while (Date.now() < until) {
          if (lines().slice(after).some((line) => pattern.test(line))) return;
          if (exited !== undefined) break;
          await this.pause(20);
        }
        const said = lines().slice(after).slice(-3).join(' / ') || 'nothing';
        const why = exited !== undefined ? ` and stopped (exit code ${exited})${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''}` : '';
        throw new NotYet(`\`${command}\` printed "${said}"${why}; expected ${what}`);
      },
    };
  }

  /** Everything `client` receives from now on, as [event, ...args]. */
  record(client: Client): unknown[][] {
    const seen: unknown[][] = [];
    client.onAny((event: string, ...args: unknown[]) => seen.push([event, ...args]));
    return seen;
  }

  /** Everything `client` received since it connected, as [event, ...args] (every client is recorded). */
  seen(client: Client): unknown[][] {
    return this.logOf.get(client) ?? [];
  }

  /** The name a client was connected `as` ("Ann"), for sentences. */
  nameOf(client: Client): string {
    return this.names.get(client) ?? 'a client';
  }

  /** The first arguments of every `event` that `client` received, from its `from`-th event on. */
  received(client: Client, event: string, from = 0): any[] {
    return this.seen(client).slice(from).filter(([name]) => name === event).map(([, arg]) => arg);
  }

  /**
   * Waits until every connected client has received what the server sent it
   * before now: a round trip on each connection (the server writes to a
   * connection in order), then a moment for what other connections caused.
   */
  async settle(): Promise<void> {
    await Promise.all(this.clients.filter((client) => client.connected).map((client) => this.roundTrip(client)));
    await this.pause(30);
  }

  /**
   * Who must receive, and who must not: once the clients have settled, each
   * of `to` has received an `event` that `match`es (since `from`, a mark from
   * `marks()`), and every other client the check connected has received
   * none. `what` names it for the sentence: 'the typing notice "Bob"'.
   */
  async expectAudience(event: string, what: string, match: (...args: any[]) => boolean, to: Client[], from?: Map<Client, number>): Promise<void> {
    await this.settle();
    for (const client of this.clients) {
      const got = this.seen(client)
        .slice(from?.get(client) ?? 0)
        .filter(([name, ...args]) => name === event && match(...args));
      const who = this.nameOf(client);
      if (to.includes(client)) {
        expectThat(got.length > 0, `${who} did not get ${what} (${event}); it is meant for ${to.map((c) => this.nameOf(c)).join(' and ')}`);
      } else {
        if (got.length > 0) {
          const [, first] = got[0];
          expectThat(false, `${who} got ${what} (${event}${got[0].length > 1 ? ` ${show(first, 60)}` : ''}); it is meant for ${to.map((c) => this.nameOf(c)).join(' and ') || 'nobody'}, not ${who}`);
        }
      }
    }
  }

  /** How far each client's record has come: pass it to `expectAudience` to look only at what comes after. */
  marks(): Map<Client, number> {
    return new Map(this.clients.map((client) => [client, this.seen(client).length]));
  }

  /**
   * Fails if `page` ran script that came from someone's text (a name, a room,
   * a message with HOSTILE in it), and expects that text to show as text.
   */
  async expectNoScript(page: Page, where: string, shows: string = HOSTILE): Promise<void> {
    const ran = await page.evaluate(() => 'pwned' in window || document.title === 'pwned');
    expectThat(!ran, `${where}: text with ${show(shows, 50)} in it ran as code on the page; put other people's text in with textContent (or Mustache's {{ }}), never innerHTML`);
  }

  /**
   * Waits until `page` shows `text` (HOSTILE unless said) as text, and fails
   * if it ran as code instead: with innerHTML, the text never shows and its
   * script runs (the image's onerror), so both are watched. `where` names
   * the page for the sentence: "Bob's page, given a message from Ann,".
   */
  async showsAsText(page: Page, where: string, text: string = HOSTILE, ms = 2000): Promise<void> {
    const until = Date.now() + within(ms);
    for (;;) {
      await this.expectNoScript(page, where, text);
      if ((await page.getByText(text).count()) > 0) break;
      expectThat(
        Date.now() < until,
        `${where} should show ${show(text, 50)} as text; it did not within ${seconds(within(ms))} (other people's text goes in with textContent, or Mustache's {{ }}, never innerHTML)`,
      );
      await this.pause(50);
    }
    await this.pause(100); // an image that failed to load has fired its onerror by now
    await this.expectNoScript(page, where, text);
  }

  /** Waits `ms`, say for something that must not come. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * The lesson's safety habits, for an event the learner adds: `bad` (a
   * wrong type) with an acknowledgement must be refused with
   * `{ ok: false, error }`; `bad` and `good` with no acknowledgement must
   * crash nothing; and afterwards `stillAnswers` must still get its answer.
   */
  async refusesBadInput(
    client: Client,
    event: string,
    { good, bad, stillAnswers }: { good: unknown[]; bad: unknown[]; stillAnswers: () => Promise<unknown> },
  ): Promise<void> {
    const reply = await this.ask(client, event, bad);
    expectThat(
      reply?.ok === false && typeof reply.error === 'string' && reply.error.length > 0,
      `${call(event, bad)} was answered ${show(reply)}; ${good.length === 0 ? `${event} takes no payload: one` : 'a wrong type'} must be refused with { ok: false, error: "…" }`,
    );
    client.emit(event, ...bad);
    client.emit(event, ...good);
    try {
      await stillAnswers();
    } catch (err) {
      if (!(err instanceof NotYet)) throw err;
      throw new NotYet(`after ${event} came with no acknowledgement, the server stopped answering: ${err.message}`);
    }
    expectThat(client.connected, `after ${event} came with no acknowledgement, the server closed the connection`);
  }

  /**
   * Opens a page in Chromium as a new person (a browser context of its own),
   * at `url` or at a path of the lesson's server. `before` runs before the
   * page loads (say, `page.clock.install()`). Closed when the check ends.
   */
  async open(url: string, options: BrowserContextOptions = {}, before?: (page: Page) => Promise<void>): Promise<Page> {
    const target = /^https?:/.test(url) ? url : `${(await this.lesson()).url}${url}`;
    const context = await (await sharedBrowser()).newContext({ viewport: { width: 900, height: 640 }, timezoneId: BROWSER_ZONE, ...options });
    this.closers.push(() => context.close());
    const page = await context.newPage();
    await before?.(page);
    await page.goto(target);
    return page;
  }

  /** Runs `close` when the check ends, before the lesson closes. */
  onEnd(close: () => Promise<void> | void): void {
    this.closers.push(async () => close());
  }

  /** Closes every client, page and lesson the check opened. */
  async end(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    await Promise.all(this.closers.splice(0).map((close) => close().catch(() => {})));
    await Promise.all(this.lessons.splice(0).map((lesson) => withTimeout(lesson.close(), 2000).catch(() => {})));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (err) => (clearTimeout(timer), reject(err)),
    );
  });
}
