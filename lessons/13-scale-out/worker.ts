// Lesson 13: one worker. The primary (server.ts) forks this file once per
// worker, with node:cluster; it is not meant to be run by hand.
//
// A worker runs the chat (chat.ts) with an adapter that connects it to the
// other workers: the cluster adapter, or Redis when REDIS_URL is set. It
// listens on a port of its own (so a client, or a test, can reach it
// directly), and it also serves the connections the primary hands it from
// the front port (@socket.io/sticky's setupWorker).
import cluster from 'node:cluster';
import { setupWorker } from '@socket.io/sticky';
import type { RunningLesson } from '../../shared/run';
import { clusterAdapter, redisAdapter } from './adapters';
import { start, type ChatOptions } from './chat';

/** What a worker tells the primary, over node:cluster's IPC channel. */
export type WorkerNews =
  | { lesson13: 'listening'; index: number; url: string }
  | { lesson13: 'failed'; index: number; message: string }
  /** This worker is closing: send it nobody new. */
  | { lesson13: 'leaving'; index: number }
  /** An Engine.IO session opened or closed here (the primary can say which worker holds a session). */
  | { lesson13: 'session'; id: string; open: boolean };

/** How the primary configures a worker: environment variables, set by cluster.fork(). */
export const WORKER_ENV = {
  index: 'LESSON13_WORKER',
  port: 'LESSON13_PORT',
  sticky: 'LESSON13_STICKY',
  options: 'LESSON13_OPTIONS',
} as const;

/** The chat's options a primary may pass on to its workers (JSON in the environment: no functions). */
export type WorkerOptions = Pick<
  ChatOptions,
  'rateLimit' | 'joinRateLimit' | 'maxRoomSize' | 'askWorkersMs' | 'dbFile' | 'dbSync' | 'maxStoredPerRoom' | 'recoveryMs'
>;

const tell = (news: WorkerNews) =>
  new Promise<void>((resolve) => (process.connected ? process.send!(news, undefined, {}, () => resolve()) : resolve()));

/**
 * Sticky's setupWorker tells the primary about a new session once the
 * worker has answered the handshake. A quick client's next request may reach
 * the primary before that news does, and go to another worker, which answers
 * HTTP 400 "Session ID unknown". So this worker tells the primary first, in
 * sticky's own message (server.ts reads it), and answers the client once the
 * primary has it.
 */
function announceSessionsFirst(engine: { generateId(req: never): string | PromiseLike<string> }): void {
  const waiting = new Map<number, () => void>();
  let asked = 0;
  process.on('message', (message: { lesson13Answer?: number }) => {
    const answer = message?.lesson13Answer;
    if (answer === undefined) return;
    waiting.get(answer)?.();
    waiting.delete(answer);
  });
  const generateId = engine.generateId.bind(engine);
  engine.generateId = async (req) => {
    const id = await generateId(req);
    if (!process.connected) return id;
    const ask = ++asked;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000); // the primary is busy, or gone: answer anyway
      waiting.set(ask, () => {
        clearTimeout(timer);
        resolve();
      });
      process.send!({ type: 'sticky:connection', data: id, lesson13Ask: ask });
    });
    waiting.delete(ask);
    return id;
  };
}

async function main(): Promise<void> {
  if (!cluster.isWorker) {
    console.error('lessons/13-scale-out/worker.ts is started by the primary: run npm start -- 13 instead.');
    process.exitCode = 1;
    return;
  }
  const index = Number(process.env[WORKER_ENV.index]);
  const name = `worker ${index}`;
  // What `ps` shows for this process: `ps -eo pid,args | grep lesson` tells the workers apart.
  process.title = `${name} of lesson 13`;
  const sticky = process.env[WORKER_ENV.sticky] !== '0';
  let lesson: RunningLesson;
  try {
    const options = JSON.parse(process.env[WORKER_ENV.options] || '{}') as WorkerOptions;
    const redis = process.env.REDIS_URL ? await redisAdapter(process.env.REDIS_URL) : undefined;
    lesson = await start({
      ...options,
      port: Number(process.env[WORKER_ENV.port] ?? 0),
      sharedPort: !sticky,
      name,
      adapter: redis?.adapter ?? clusterAdapter(),
      recovery: redis !== undefined, // the cluster adapter keeps no sessions
      onClose: redis?.close,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const port = process.env[WORKER_ENV.port];
    const message =
      code === 'EADDRINUSE'
        ? `${name} could not listen on port ${port}, its own port (PORT + ${index}): it is already in use. Choose another PORT, e.g. PORT=4000 npm start -- 13`
        : `${name} could not start: ${err instanceof Error ? err.message : String(err)}`;
    await tell({ lesson13: 'failed', index, message });
    process.exit(1);
  }
  if (sticky) {
    setupWorker(lesson.io as Parameters<typeof setupWorker>[0]); // the connections the primary hands over
    announceSessionsFirst(lesson.io!.engine);
  }
  lesson.io!.engine.on('connection', (connection: { id: string; once(event: 'close', listener: () => void): void }) => {
    void tell({ lesson13: 'session', id: connection.id, open: true });
    connection.once('close', () => void tell({ lesson13: 'session', id: connection.id, open: false }));
  });
  // The primary prints "worker K listening on …" when it hears this: after everything this worker printed before.
  await tell({ lesson13: 'listening', index, url: lesson.url });

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void tell({ lesson13: 'leaving', index });
    // io.close() closes every connection (the page sees "transport close": a reason to
    // reconnect), and with Redis each one's session is saved, for the worker it reconnects to.
    setTimeout(() => process.exit(code), 2000).unref();
    lesson.close().finally(() => process.exit(code));
  };
  process.once('SIGTERM', () => stop(0)); // the primary stops its workers so
  process.once('disconnect', () => stop(0)); // the primary is gone
  process.on('SIGINT', () => {}); // Ctrl-C reaches every process of the terminal: the primary stops us
  // A bug in a handler: say so and go (a program must not go on after an unknown error), but
  // close on the way out, so that clients reconnect to another worker at once.
  process.on('uncaughtException', (err) => {
    console.error(`${name} crashed: ${err.stack ?? err}`);
    stop(1);
  });
}

if (require.main === module) void main();
