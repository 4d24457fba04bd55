// Helpers for testing lessons over real sockets (and a few for plain HTTP).
import { request, type OutgoingHttpHeaders } from 'node:http';
import path from 'node:path';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { RunningLesson, StartLesson } from '../shared/run';

type Listener = (...args: any[]) => void;
type EventsOf<S> = S extends Socket<infer L, any> ? L : never;

const openClients = new Set<Socket<any, any>>();

/**
 * Starts a lesson on a free port before the tests of a `describe` block and
 * closes it after them. Returns a getter, since the server starts later.
 */
export function useLesson<O>(start: (options: O & { port: number }) => Promise<RunningLesson>, options?: O): () => RunningLesson {
  let lesson: RunningLesson | undefined;
  before(async () => {
    lesson = await start({ ...(options as O), port: 0 });
  });
  after(async () => {
    closeClients();
    await lesson?.close();
  });
  return () => {
    if (!lesson) throw new Error('the lesson has not started');
    return lesson;
  };
}

/** Starts a lesson on a free port (for a test that manages its own server). */
export function startLesson(start: StartLesson): Promise<RunningLesson> {
  return start({ port: 0 });
}

/**
 * Connects a client and resolves once it is connected. It is closed after
 * the test, unless `keep` is set (then close it yourself, e.g. in `after`).
 */
export function connect<S extends Socket<any, any> = Socket>(
  url: string,
  options: Partial<ManagerOptions & SocketOptions> = {},
  { keep = false } = {},
): Promise<S> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options }) as S;
  if (!keep) openClients.add(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`could not connect to ${url} within 2000 ms`)), 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Connects a client after `listen` has attached its listeners, so events sent
 * on connection (a welcome, say) cannot arrive before anyone listens.
 * Resolves once connected. Closed after each test.
 */
export function connectListening<S extends Socket<any, any> = Socket>(url: string, listen: (socket: S) => void): Promise<S> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false }) as S;
  openClients.add(socket);
  listen(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`could not connect to ${url} within 2000 ms`)), 2000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.connect();
  });
}

/**
 * Connects a client that listens for `event` before it connects, and resolves
 * with the client and that first event's payload.
 */
export async function connectFor<S extends Socket<any, any> = Socket>(url: string, event: string, timeoutMs = 2000): Promise<[S, any]> {
  let first: Promise<unknown> | undefined;
  const socket = await connectListening<S>(url, (s) => {
    first = waitFor(s as Socket, event, timeoutMs);
  });
  return [socket, await first];
}

/** Connects several clients at once. */
export function connectMany<S extends Socket<any, any> = Socket>(url: string, count: number): Promise<S[]> {
  return Promise.all(Array.from({ length: count }, () => connect<S>(url)));
}

export function closeClients(): void {
  for (const socket of openClients) socket.close();
  openClients.clear();
}

/**
 * Waits for the next `event` on `socket` (the next one that `match`es, if
 * given) and resolves with its first argument. The failure names the event
 * that never came.
 */
export function waitFor<S extends Socket<any, any>, E extends keyof EventsOf<S> & string>(
  socket: S,
  event: E,
  timeoutMs = 2000,
  match: (value: Parameters<EventsOf<S>[E] extends Listener ? EventsOf<S>[E] : Listener>[0]) => boolean = () => true,
): Promise<Parameters<EventsOf<S>[E] extends Listener ? EventsOf<S>[E] : Listener>[0]> {
  return new Promise((resolve, reject) => {
    const listener = (value: any) => {
      if (!match(value)) return;
      clearTimeout(timer);
      (socket as Socket).off(event as string, listener);
      resolve(value);
    };
    const timer = setTimeout(() => {
      (socket as Socket).off(event as string, listener);
      reject(new Error(`"${event}" did not arrive within ${timeoutMs} ms`));
    }, timeoutMs);
    (socket as Socket).on(event as string, listener);
  });
}

/** For waitFor: a chat message that is not one of Admin's notices. */
export const notFromAdmin = (message: { from?: string }) => message?.from !== 'Admin';

/** Collects every `event` on `socket` from now on, into the array it returns. */
export function collect<S extends Socket<any, any>>(socket: S, event: keyof EventsOf<S> & string): unknown[] {
  const seen: unknown[] = [];
  (socket as Socket).on(event as string, (value: unknown) => seen.push(value));
  return seen;
}

/** Waits `ms` milliseconds, e.g. to give an event that must not come the time to come. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Emits a raw event, bypassing the typed API, the way a buggy or hostile
 * client would. With `ack`, resolves with the acknowledgement (or rejects
 * after `timeoutMs`); without, resolves at once.
 */
export function emitRaw(socket: Socket<any, any>, event: string, args: unknown[], ack = true, timeoutMs = 1000): Promise<unknown> {
  if (!ack) {
    socket.emit(event, ...args);
    return Promise.resolve(undefined);
  }
  return socket.timeout(timeoutMs).emitWithAck(event, ...args);
}

/** An HTTP answer, as rawRequest got it. */
export interface Answer {
  status: number;
  type: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a request for a path exactly as written: fetch would resolve `..` before sending it. */
export function rawRequest(url: string, pathname: string, { method = 'GET', headers = {} as OutgoingHttpHeaders } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { path: pathname, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Lines written with console.error while `run` runs (they are not printed). */
export async function errorLines(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  try {
    await run();
  } finally {
    console.error = original;
  }
  return lines;
}

const root = path.join(__dirname, '..');

/** What no error answer may show: a path on this machine, a stack frame, HTML. */
export function leaks(body: string): string[] {
  return [
    body.includes(root) && "the workbook's path",
    /\bat\s/.test(body) && 'a stack ("at ")',
    /node_modules|\.ts\b/.test(body) && 'a file name',
    /</.test(body) && 'HTML',
  ].filter((leak): leak is string => typeof leak === 'string');
}
