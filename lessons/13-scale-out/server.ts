// Lesson 13: scale-out. The primary process.
// `npm start -- 13` runs this: it starts WORKERS worker processes (default 2)
// with node:cluster, each running the chat (worker.ts, chat.ts), and one front
// port for the browsers (front.ts), which hands each connection to a worker,
// and every request of a long-polling session to the same worker.
// A worker that dies is started again. With REDIS_URL set, the workers talk
// through Redis instead of through this process.
//
//   browsers ──► front (PORT) ──► worker 1 (PORT+1) ─┐
//                  sticky     └─► worker 2 (PORT+2) ─┴─ adapter: cluster (IPC via
//                                                       this process) or Redis
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { listening as listeningAt, runFromCommandLine, type RunningLesson, type StartOptions } from '../../shared/run';
import { checkRedisUrl, relayBetweenWorkers, type AdapterKind } from './adapters';
import { frontPort } from './front';
import { dbFileFromEnv, MessageStore, syncFromEnv } from './store';
import { WORKER_ENV, type WorkerNews, type WorkerOptions } from './worker';

export interface ScaleOutOptions extends StartOptions, WorkerOptions {
  /** How many workers (default WORKERS from the environment, or 2). */
  workers?: number;
  /** Redis, for the Redis Streams adapter (default REDIS_URL from the environment; none: the cluster adapter). */
  redisUrl?: string;
  /**
   * Sticky sessions on the front port (default STICKY from the environment, or on). false: no front server;
   * the workers share the port, and node:cluster hands each new connection to
   * the next worker, whatever session it belongs to. Only to show the problem.
   */
  sticky?: boolean;
}

export interface WorkerInfo {
  /** 1, 2, …: a restarted worker keeps its number (and its port, unless PORT=0). */
  index: number;
  pid: number;
  /** The worker's own address. */
  url: string;
}

/** The running classroom. Past `close`, what it offers is for the tests and the checks, to look inside. */
export interface ScaleOut extends RunningLesson {
  adapter: AdapterKind;
  /** The workers that are listening now. */
  workers(): WorkerInfo[];
  /** Resolves once worker `index` listens in a process other than `pid` (after a restart). */
  restarted(index: number, pid: number, ms?: number): Promise<WorkerInfo>;
  /** The worker that holds Engine.IO session `id` (a client's `socket.io.engine.id`), once it has said so. */
  workerOf(id: string, ms?: number): Promise<WorkerInfo>;
}

export const DEFAULT_WORKERS = 2;
/** A worker that dies is started again after this long, doubled each time it dies young (up to 10 s). */
const RESTART_MS = 200;
const YOUNG_MS = 5000;

/** WORKERS from the environment: a whole number from 1 to 16, default 2. */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.WORKERS ?? '';
  if (text === '') return DEFAULT_WORKERS;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 16) throw new Error(`WORKERS must be a whole number from 1 to 16, not "${text}"`);
  return Number(text);
}

/** STICKY from the environment: on (the default, or 1), or off (0), to see what breaks without sticky sessions. */
export function stickyFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const text = (env.STICKY ?? '').trim().toLowerCase();
  if (text === '' || text === '1' || text === 'on') return true;
  if (text === '0' || text === 'off') return false;
  throw new Error(`STICKY must be on or off (1 or 0), not "${env.STICKY}"`);
}

/** node:cluster is one per process: so is a running classroom of this lesson. */
let running = false;
let closing: Promise<void> | undefined;

export async function start({
  port = 0,
  workers: count = workersFromEnv(),
  redisUrl = process.env.REDIS_URL || undefined,
  sticky = stickyFromEnv(),
  dbFile = dbFileFromEnv(),
  dbSync = syncFromEnv(),
  ...chat
}: ScaleOutOptions = {}): Promise<ScaleOut> {
  if (!cluster.isPrimary) throw new Error('lesson 13 starts its workers from the primary process only');
  await closing; // a classroom that is closing (say, a check's) has its workers stopped first
  if (running) throw new Error('lesson 13 is already running in this process: close it first (node:cluster is one per process)');
  if (redisUrl) checkRedisUrl(redisUrl);
  if (dbFile === ':memory:' && count > 1) {
    throw new Error(`DB_FILE=:memory: keeps messages in one process's memory: the ${count} workers could not share them. Name a file, or leave DB_FILE unset.`);
  }
  if (dbFile !== ':memory:') {
    dbFile = path.resolve(dbFile);
    // Created here, once, before any worker opens it: a file that cannot be written is said at once.
    try {
      new MessageStore(dbFile, { sync: dbSync }).close();
    } catch (err) {
      throw new Error(`Could not open the message store ${dbFile}: ${(err as Error).message}. Set DB_FILE to a file you may write.`);
    }
    console.log(`messages are stored in ${shortPath(dbFile)} (one SQLite file, in WAL mode, that every worker opens)`);
  }
  running = true;
  // What `ps` shows for this process while the classroom runs (`ps -eo pid,args`); the workers name themselves.
  const title = process.title;
  process.title = sticky ? 'front of lesson 13 (primary)' : 'primary of lesson 13 (no front)';

  // Whatever the front server and the adapter add to node:cluster goes again on close().
  const before = { message: cluster.listeners('message'), exit: cluster.listeners('exit') };
  const front = sticky ? frontPort((sid) => workerFor(sid)) : undefined;
  if (!redisUrl) relayBetweenWorkers(); // the cluster adapter's messages go through here
  const added = (['message', 'exit'] as const).flatMap((event) =>
    cluster.listeners(event).filter((listener) => !before[event].includes(listener)).map((listener) => [event, listener] as const),
  );

  const own = new Map<Worker, number>(); // this classroom's workers, by their index
  const load = new Map<Worker, number>(); // the sessions each holds; Infinity while it starts or closes
  const listening = new Map<number, WorkerInfo>();
  const sessions = new Map<string, number>(); // Engine.IO session id → the index of the worker that holds it (for workerOf)
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((wakeUp) => wakeUp());
  const youngDeaths = new Map<number, number>();
  let up = false; // every worker listened once: from then on, one that dies is started again
  let stopping = false;

  /**
   * The worker for a request: the one that holds its session, or else the one
   * with the fewest sessions. A worker that is still starting (the client would
   * wait) or already closing takes none.
   */
  const workerFor = (sid: string | undefined): Worker | undefined => {
    const holder = sid === undefined ? undefined : sessions.get(sid);
    let best: Worker | undefined;
    for (const [worker, index] of own) {
      if (index === holder && !worker.isDead()) return worker;
      if ((load.get(worker) ?? Infinity) < (best ? load.get(best)! : Infinity)) best = worker;
    }
    return best;
  };

  // The workers run worker.ts, compiled by register.js (swc, as ts-node does, without ts-node's
  // weight); their output comes through here.
  cluster.setupPrimary({
    exec: path.join(__dirname, 'worker.ts'),
    execArgv: ['--enable-source-maps', '-r', path.join(__dirname, 'register.js')],
    silent: true,
    // The structured clone algorithm, not JSON: the front hands each request's first bytes (a Buffer) to the worker.
    serialization: 'advanced',
  });

  /** Forks worker `index`; resolves once it listens, rejects if it cannot. */
  const fork = (index: number, workerPort: number): Promise<WorkerInfo> => {
    const worker = cluster.fork({
      [WORKER_ENV.index]: String(index),
      [WORKER_ENV.port]: String(workerPort),
      [WORKER_ENV.sticky]: sticky ? '1' : '0',
      [WORKER_ENV.options]: JSON.stringify({ ...chat, dbFile, dbSync } satisfies WorkerOptions),
      REDIS_URL: redisUrl ?? '',
    });
    own.set(worker, index);
    let accepting = false; // until it listens, and once it says it is leaving
    let held = 0; // the sessions it holds
    const count = () => void load.set(worker, accepting ? held : Infinity);
    count();
    // A message to a worker that just died fails; without a listener, that would end the primary.
    worker.on('error', (err) => console.error(`worker ${index}: ${err.message}`));
    const forward = (stream: NodeJS.ReadableStream | null, write: (line: string) => void) => {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', write);
    };
    forward(worker.process.stdout, (line) => console.log(line));
    forward(worker.process.stderr, (line) => console.error(line));
    const born = Date.now();

    return new Promise((resolve, reject) => {
      let failure: string | undefined;
      worker.on('message', (news: WorkerNews | { type?: string; data?: unknown; lesson13Ask?: number }) => {
        if ('type' in news && news.type === 'sticky:connection' && typeof news.lesson13Ask === 'number') {
          // worker.ts tells of a new session before it answers the client: so the client's
          // next request, which may come at once, finds its worker.
          if (typeof news.data === 'string') sessions.set(news.data, index);
          worker.send({ lesson13Answer: news.lesson13Ask });
          return;
        }
        if (!('lesson13' in news)) return;
        if (news.lesson13 === 'listening') {
          const info = { index, pid: worker.process.pid!, url: news.url };
          listening.set(index, info);
          // Printed here, not by the worker: its output comes through a pipe, which may lag behind this message.
          console.log(`worker ${index} listening on ${news.url}`);
          accepting = true;
          count();
          wake();
          resolve(info);
        } else if (news.lesson13 === 'failed') failure = news.message;
        else if (news.lesson13 === 'leaving') {
          accepting = false;
          count();
        } else if (news.lesson13 === 'session') {
          if (news.open) sessions.set(news.id, index);
          else if (sessions.get(news.id) === index) sessions.delete(news.id);
          held += news.open ? 1 : -1;
          count();
          wake();
        }
      });
      worker.once('exit', (code, signal) => {
        own.delete(worker);
        load.delete(worker);
        if (listening.get(index)?.pid === worker.process.pid) listening.delete(index);
        for (const [id, holder] of sessions) if (holder === index) sessions.delete(id);
        reject(new Error(failure ?? `worker ${index} stopped before it listened (${signal ?? `exit code ${code}`})`));
        if (stopping || !up) return;
        const young = Date.now() - born < YOUNG_MS;
        const deaths = young ? (youngDeaths.get(index) ?? 0) + 1 : 0;
        youngDeaths.set(index, deaths);
        const delay = Math.min(10_000, RESTART_MS * 2 ** Math.max(0, deaths - 1));
        console.error(`worker ${index} (pid ${worker.process.pid}) stopped (${signal ?? `exit code ${code}`}): starting another in ${delay / 1000} s`);
        const again = setTimeout(() => {
          if (!stopping) fork(index, workerPort).catch((err: Error) => console.error(err.message));
        }, delay);
        restarts.add(again);
      });
    });
  };
  const restarts = new Set<NodeJS.Timeout>();

  const stopWorkers = async () => {
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    await Promise.all(
      [...own.keys()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), 3000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      // Stops listening at once. (Not waiting for its close callback: node:net counts each connection
      // the front handed to a worker as open until that worker says otherwise, and a dead one never does.)
      if (front?.listening) front.close();
      await stopWorkers();
      for (const [event, listener] of added) cluster.off(event, listener as (...args: unknown[]) => void);
      process.title = title;
      running = false;
    })();
    closing = closed;
    return closed;
  };

  let url: string;
  try {
    // The front listens first: if its port is taken, no worker is started for nothing.
    const frontUrl = front ? await listeningAt(front.listen(port)) : undefined;
    const workerPort = (index: number) => (!sticky ? port : port === 0 ? 0 : port + index);
    const started = await Promise.all(Array.from({ length: count }, (_, i) => fork(i + 1, workerPort(i + 1))));
    url = frontUrl ?? started[0].url; // without a front, the workers' shared port
    up = true;
  } catch (err) {
    await close();
    throw err;
  }
  const adapter: AdapterKind = redisUrl ? 'redis' : 'cluster';
  console.log(
    `${count} worker${count === 1 ? '' : 's'}, ${adapter === 'redis' ? `Redis Streams adapter (${redisUrl})` : 'cluster adapter (set REDIS_URL to use Redis)'}` +
      `${sticky ? ', sticky sessions on the front port' : ', NO sticky sessions: long-polling will fail'}`,
  );

  return {
    url,
    adapter,
    close,
    workers: () => [...listening.values()].sort((a, b) => a.index - b.index),
    restarted: (index, pid, ms = 15_000) =>
      until(() => {
        const info = listening.get(index);
        return info && info.pid !== pid ? info : undefined;
      }, ms, `worker ${index} did not listen again within ${ms} ms`),
    workerOf: (id, ms = 3000) => until(() => listening.get(sessions.get(id) ?? 0), ms, `no worker said it holds session ${id} within ${ms} ms`),
  };

  /** For the tests: resolves with what `found` finds, looking again whenever a worker says something; rejects after `ms`. */
  function until<T>(found: () => T | undefined, ms: number, failure: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(failure));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }
}

/** A file's path from here when it is under this folder, or its whole path. */
function shortPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

if (require.main === module) runFromCommandLine(start);
