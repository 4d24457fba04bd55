// Lesson 13: scale-out. The primary process: `npm start -- 13` runs this.
// It starts WORKERS worker processes (default 2) with node:cluster, each
// running the chat (worker.ts, chat.ts), and keeps one front port for the
// browsers (front.ts), which hands each new session to a worker, and every
// request of a long-polling session to the same worker: sticky sessions.
// With REDIS_URL set, the workers talk through Redis instead of through here.
//
//   browsers ──► front (PORT) ──► worker 1 (PORT+1) ─┐
//                  sticky     └─► worker 2 (PORT+2) ─┴─ adapter: cluster (IPC via
//                                                       this process) or Redis
import cluster from 'node:cluster';
import path from 'node:path';
import { WorkerPool, type WorkerInfo } from '../../shared/cluster-workers';
import { openStore } from '../../shared/delivery-store';
import { listening, runFromCommandLine, type RunningLesson } from '../../shared/run';
import { checkRedisUrl, relayBetweenWorkers, type AdapterKind } from './adapters';
import { frontPort } from './front';
import { chatSettings, stickyFromEnv, workersFromEnv, type ScaleOutOptions, type WorkerOptions } from './settings';
import { WORKER_ENV } from './worker';

export async function start(options: ScaleOutOptions = {}): Promise<ScaleOut> {
  const { port = 0, workers: count = workersFromEnv(), redisUrl = process.env.REDIS_URL || undefined, sticky = stickyFromEnv(), ...chat } = options;
  let { dbFile, dbSync } = chatSettings(chat);
  if (!cluster.isPrimary) throw new Error('lesson 13 starts its workers from the primary process only');
  await closing; // a classroom that is closing (say, a check's) has its workers stopped first
  if (running) throw new Error('lesson 13 is already running in this process: close it first (node:cluster is one per process)');
  if (redisUrl) checkRedisUrl(redisUrl);
  if (dbFile === ':memory:' && count > 1) {
    throw new Error(`DB_FILE=:memory: keeps messages in one process's memory: the ${count} workers could not share them. Name a file, or leave DB_FILE unset.`);
  }
  if (dbFile !== ':memory:') {
    dbFile = path.resolve(dbFile);
    openStore(dbFile, { sync: dbSync }).close(); // created once, before any worker opens it: a file that cannot be written is said at once
    const relative = path.relative(process.cwd(), dbFile);
    console.log(`messages are stored in ${relative.startsWith('..') ? dbFile : relative} (one SQLite file, in WAL mode, that every worker opens)`);
  }
  running = true;
  // What `ps` shows for this process while the classroom runs (`ps -eo pid,args`); the workers name themselves.
  const title = process.title;
  process.title = sticky ? 'front of lesson 13 (primary)' : 'primary of lesson 13 (no front)';

  // The workers run worker.ts, compiled by register.js (swc, as ts-node does, without its weight).
  cluster.setupPrimary({
    exec: path.join(__dirname, 'worker.ts'),
    execArgv: ['--enable-source-maps', '-r', path.join(__dirname, 'register.js')],
    silent: true, // their output comes through here
    serialization: 'advanced', // the structured clone algorithm: the front hands each request's first bytes (a Buffer) to a worker
  });
  const pool = new WorkerPool((index) => ({
    [WORKER_ENV.index]: String(index),
    [WORKER_ENV.port]: String(!sticky ? port : port === 0 ? 0 : port + index), // without a front, the one port they share
    [WORKER_ENV.sticky]: sticky ? '1' : '0',
    [WORKER_ENV.options]: JSON.stringify({ ...chat, dbFile, dbSync } satisfies WorkerOptions),
    REDIS_URL: redisUrl ?? '',
  }));

  // What the front server and the adapter add to node:cluster goes again on close().
  const before = { message: cluster.listeners('message'), exit: cluster.listeners('exit') };
  const front = sticky ? frontPort((sid) => pool.workerFor(sid)) : undefined;
  if (!redisUrl) relayBetweenWorkers(); // the cluster adapter's messages go through here
  const added = (['message', 'exit'] as const).flatMap((event) =>
    cluster.listeners(event).filter((listener) => !before[event].includes(listener)).map((listener) => [event, listener] as const),
  );
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      // Not waiting for the front's close callback: node:net counts each connection it handed to a
      // worker as open until that worker says otherwise, and a dead one never does.
      if (front?.listening) front.close();
      await pool.stop();
      for (const [event, listener] of added) cluster.off(event, listener as (...args: unknown[]) => void);
      process.title = title;
      running = false;
    })();
    return (closing = closed);
  };

  let url: string;
  try {
    const frontUrl = front ? await listening(front.listen(port)) : undefined; // first: if its port is taken, no worker starts for nothing
    const started = await pool.start(count);
    url = frontUrl ?? started[0].url; // without a front, the workers' shared port
  } catch (err) {
    await close();
    throw err;
  }
  const adapter: AdapterKind = redisUrl ? 'redis' : 'cluster';
  console.log(
    `${count} worker${count === 1 ? '' : 's'}, ${adapter === 'redis' ? `Redis Streams adapter (${redisUrl})` : 'cluster adapter (set REDIS_URL to use Redis)'}` +
      `${sticky ? ', sticky sessions on the front port' : ', NO sticky sessions: long-polling will fail'}`,
  );
  return { url, adapter, close, workers: () => pool.workers(), restarted: (...args) => pool.restarted(...args), workerOf: (...args) => pool.workerOf(...args) };
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
export type { ScaleOutOptions, WorkerInfo };
export { stickyFromEnv, workersFromEnv };

/** node:cluster is one per process: so is a running classroom of this lesson. */
let running = false;
let closing: Promise<void> | undefined;

if (require.main === module) runFromCommandLine(start);
