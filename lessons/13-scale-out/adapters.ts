// How the workers hear each other: Socket.IO's adapter.
// A server's adapter keeps its rooms and delivers what it sends to them. The
// default one keeps everything in this process's memory, so a message sent on
// worker 1 never reaches a room member on worker 2. These two pass every
// broadcast (and every question, such as fetchSockets) to the other servers:
//
// - cluster: @socket.io/cluster-adapter. Workers forked by one primary with
//   node:cluster talk through the primary, over the IPC channel node:cluster
//   gives them. Nothing to install; one machine only; no connection state
//   recovery (a dropped socket's packets are not kept anywhere).
// - redis: @socket.io/redis-streams-adapter, with the `redis` client its docs
//   recommend. Servers append what they send to a Redis stream and read what
//   the others appended. Any number of machines; and the stream keeps recent
//   packets, so connection state recovery works across servers.
import { createAdapter as createClusterAdapter, setupPrimary } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';

export type AdapterKind = 'cluster' | 'redis';

/**
 * How often each server tells the others it is alive, and how long until one
 * that went quiet counts as gone (the cluster adapter). A worker that is
 * killed says no goodbye: until then, every question to all workers waits
 * for its answer (ASK_WORKERS_MS), and fails.
 */
export const HEARTBEAT = { heartbeatInterval: 1000, heartbeatTimeout: 3000 };

/** Call once, in the primary: it relays the cluster adapter's messages between the workers. */
export function relayBetweenWorkers(): void {
  setupPrimary();
}

/** The cluster adapter, for a worker forked with node:cluster. */
export function clusterAdapter(): ServerOptions['adapter'] {
  return createClusterAdapter(HEARTBEAT);
}

/** Checks REDIS_URL: redis://host:port (or rediss:// for TLS), with an optional user, password and database. */
export function checkRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`REDIS_URL must look like redis://127.0.0.1:6379, not "${text}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// (or rediss://), not "${url.protocol}//"`);
  }
  return text;
}

export interface RedisAdapter {
  adapter: ServerOptions['adapter'];
  /** Closes the Redis connection (after io.close()). */
  close(): Promise<void>;
}

/**
 * Connects to Redis at `url` and makes the Redis Streams adapter. Rejects,
 * saying so, when Redis cannot be reached within a few seconds. Once
 * connected, a lost connection is retried for ever: the adapter picks the
 * stream up where it left it.
 */
export async function redisAdapter(url: string, { blockTimeInMs = 5000 } = {}): Promise<RedisAdapter> {
  let ready = false;
  const client = createClient({
    url: checkRedisUrl(url),
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries, cause) =>
        ready ? Math.min(100 * 2 ** retries, 2000) : retries < 2 ? 200 : new Error(`could not reach Redis at ${url}: ${cause.message || cause.constructor.name}`),
    },
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    // Said once per kind of problem, not on every retry.
    const text = err.message || err.constructor.name;
    if (ready && text !== lastError) console.error(`Redis at ${url}: ${text} (retrying)`);
    lastError = text;
  });
  client.on('ready', () => {
    if (ready && lastError) console.error(`Redis at ${url}: connected again`);
    lastError = '';
  });
  try {
    await client.connect();
  } catch (err) {
    const why = err instanceof Error && err.message ? err.message : `could not reach Redis at ${url}`;
    throw new Error(`${why}. Start redis-server, or unset REDIS_URL to use the cluster adapter (one machine, nothing to install).`);
  }
  ready = true;
  return {
    // blockTimeInMs: how long the adapter's reader waits on the stream per read (it closes after its last read).
    adapter: createRedisAdapter(client, { blockTimeInMs }),
    async close() {
      await client.close().catch(() => client.destroy());
    },
  };
}
