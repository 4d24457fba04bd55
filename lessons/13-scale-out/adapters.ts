// How the workers hear each other: Socket.IO's adapter. The default one keeps
// rooms in this process's memory, so a message sent on worker 1 never reaches
// a member on worker 2. These two pass every broadcast (and every question,
// such as serverSideEmit) to the other servers:
// - cluster: @socket.io/cluster-adapter, through the primary, over the IPC
//   channel node:cluster gives. Nothing to install; one machine; no recovery.
// - redis: @socket.io/redis-streams-adapter. Servers append what they send to
//   a Redis stream and read what the others appended. Any number of machines,
//   and the stream keeps recent packets: connection state recovery works.
import { createAdapter as createClusterAdapter, setupPrimary } from '@socket.io/cluster-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';

export type AdapterKind = 'cluster' | 'redis';

/**
 * How often each worker tells the others it is alive, and how long until one
 * that went quiet counts as gone (the cluster adapter). A killed worker says
 * no goodbye: until then, every question to all workers waits for it, and fails.
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
  const protocol = URL.canParse(text) ? new URL(text).protocol : undefined;
  if (!protocol) throw new Error(`REDIS_URL must look like redis://127.0.0.1:6379, not "${text}"`);
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// (or rediss://), not "${protocol}//"`);
  return text;
}

/** The Redis stream every server appends to (the adapter's default name, said here so the limits below find it). */
export const STREAM = 'socket.io';
/** Where the adapter keeps a dropped socket's session (its default). */
const SESSION_PREFIX = 'sio:session:';
/**
 * The most stream entries a recovery may read (half the store's catch-up
 * limit, MAX_CATCH_UP in settings.ts). Every server's packets share the stream, so an
 * offset with more entries after it is refused before anything is read: the
 * page starts afresh, and its join gets what it missed from the store.
 */
export const MAX_REPLAY = 500;
/**
 * The stream's most bytes. The adapter trims it to 10,000 entries, whatever
 * their size: 10,000 user lists of a full room are tens of MB, in Redis's
 * memory and in each recovery's read. Checked every second (MEMORY USAGE),
 * and trimmed (XTRIM) to the share of entries that fits.
 */
export const MAX_STREAM_BYTES = 16_000_000;

/**
 * Connects to Redis at `url` and makes the Redis Streams adapter. Rejects,
 * saying so, when Redis cannot be reached within a few seconds. Once
 * connected, a lost connection is retried for ever: the adapter picks the
 * stream up where it left it.
 */
export async function redisAdapter(
  url: string,
  { blockTimeInMs = 5000, maxReplay = MAX_REPLAY, maxStreamBytes = MAX_STREAM_BYTES, trimEveryMs = 1000 } = {},
): Promise<{ adapter: ServerOptions['adapter']; close(): Promise<void> }> {
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
    const text = err.message || err.constructor.name; // said once per kind of problem, not on every retry
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
  const trimming = setInterval(() => void trimToBytes(client, maxStreamBytes).catch(() => {}), trimEveryMs).unref();
  // blockTimeInMs: how long the adapter's reader waits on the stream per read (it closes after its last read).
  const makeAdapter = createRedisAdapter(client, { blockTimeInMs, streamName: STREAM, sessionKeyPrefix: SESSION_PREFIX });
  return {
    // A function, not an arrow: Socket.IO calls it with `new`.
    adapter: function (nsp: Parameters<typeof makeAdapter>[0]) {
      return boundRecovery(makeAdapter(nsp), client, maxReplay);
    } as unknown as ServerOptions['adapter'],
    async close() {
      // After io.close(): the adapter's reader stops after its last read.
      clearInterval(trimming);
      await client.close().catch(() => client.destroy());
    },
  };
}

type RedisClient = ReturnType<typeof createClient>;
type StreamsAdapter = ReturnType<ReturnType<typeof createRedisAdapter>>;

/**
 * The adapter restores a session by reading the stream from the page's
 * offset to its end, in one XRANGE with no COUNT, and decoding every entry;
 * only then could the lesson count what it found. It has no option for a
 * limit, so this wraps its restoreSession: first one bounded read (XRANGE
 * … COUNT maxReplay + 1) says whether the offset is within reach; if more
 * entries follow it, the session is dropped and refused, having read no more.
 */
function boundRecovery(adapter: StreamsAdapter, client: RedisClient, maxReplay: number): StreamsAdapter {
  const restore = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    if (/^\d+-\d+$/.test(offset)) {
      const [time, sequence] = offset.split('-');
      const after = await client.xRange(STREAM, `${time}-${Number(sequence) + 1}`, '+', { COUNT: maxReplay + 1 });
      if (after.length > maxReplay) {
        await client.del(SESSION_PREFIX + pid); // once refused, not tried again
        return null as never; // no recovery (the type leaves null out; Socket.IO takes it)
      }
    }
    return restore(pid, offset); // it refuses a malformed offset itself
  };
  return adapter;
}

/** Trims the stream to about `maxBytes`: its oldest entries go, in the share that is too much. */
async function trimToBytes(client: RedisClient, maxBytes: number): Promise<void> {
  const bytes = Number(await client.sendCommand(['MEMORY', 'USAGE', STREAM]));
  if (!(bytes > maxBytes)) return;
  const entries = await client.xLen(STREAM);
  await client.xTrim(STREAM, 'MAXLEN', Math.floor((entries * maxBytes * 0.9) / bytes));
}
