// Lesson 13: one worker. The primary (server.ts) forks this file once per
// worker, with node:cluster; it is not meant to be run by hand.
// It runs the chat (chat.ts) with an adapter that connects it to the other
// workers: the cluster adapter, or Redis when REDIS_URL is set. It listens on
// a port of its own (a client, or a test, can reach it directly), and serves
// the connections the primary hands it from the front port (sticky's setupWorker).
import cluster from 'node:cluster';
import { setupWorker } from '@socket.io/sticky';
import { announceSessionsFirst, reportSessions, stopOnSignals, tell } from '../../shared/cluster-workers';
import type { RunningLesson } from '../../shared/run';
import { clusterAdapter, redisAdapter } from './adapters';
import { start } from './chat';
import type { WorkerOptions } from './settings';

/** How the primary configures a worker: environment variables, set by cluster.fork(). */
export const WORKER_ENV = { index: 'LESSON13_WORKER', port: 'LESSON13_PORT', sticky: 'LESSON13_STICKY', options: 'LESSON13_OPTIONS' } as const;

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
  const port = process.env[WORKER_ENV.port];
  let lesson: RunningLesson;
  let redis: Awaited<ReturnType<typeof redisAdapter>> | undefined;
  try {
    const options = JSON.parse(process.env[WORKER_ENV.options] || '{}') as WorkerOptions;
    redis = process.env.REDIS_URL ? await redisAdapter(process.env.REDIS_URL) : undefined;
    lesson = await start({
      ...options,
      port: Number(port ?? 0),
      sharedPort: !sticky,
      name,
      adapter: redis?.adapter ?? clusterAdapter(),
      recovery: redis !== undefined, // the cluster adapter keeps no sessions
      onClose: redis?.close,
    });
  } catch (err) {
    await redis?.close().catch(() => {}); // if the chat did not close it
    const message =
      (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? `${name} could not listen on port ${port}, its own port (PORT + ${index}): it is already in use. Choose another PORT, e.g. PORT=4000 npm start -- 13`
        : `${name} could not start: ${err instanceof Error ? err.message : String(err)}`;
    await tell({ lesson13: 'failed', index, message });
    process.exit(1);
  }
  const engine = lesson.io!.engine;
  if (sticky) {
    setupWorker(lesson.io as Parameters<typeof setupWorker>[0]); // the connections the primary hands over
    announceSessionsFirst(engine);
  }
  reportSessions(engine);
  // The primary prints "worker K listening on …" when it hears this: after everything this worker printed before.
  await tell({ lesson13: 'listening', index, url: lesson.url });
  // io.close() closes every connection (the page sees "transport close": a reason to reconnect),
  // and with Redis each one's session is saved, for the worker it reconnects to.
  stopOnSignals(index, lesson.close);
}

if (require.main === module) void main();
