// 8. Connection state recovery on Redis (lesson 13). The Redis Streams
// adapter restores a session by reading the stream from the client's offset
// to its end, and decoding every entry, before the lesson's catch-up limit
// (MAX_CATCH_UP) applies: one address replaying an old offset in a loop made
// the server read megabytes each time. And the stream was bounded in entries
// only (10,000, whatever their size). Redis counts the bytes it sends.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { MAX_REPLAY, redisAdapter } from '../../lessons/13-scale-out/adapters';
import { channel, start } from '../../lessons/13-scale-out/chat';
import type { RunningLesson } from '../../shared/run';
import { connect, pause, waitFor } from '../helpers';
import { hasRedis, REDIS_SKIP_NOTE, startRedis, type RedisServer } from '../redis';

const ENTRIES = 3000;
const ENTRY_TEXT = 'x'.repeat(2000);
const LOOSE = { burst: 1000, perSecond: 1000 };

(hasRedis || process.env.REQUIRE_REDIS === '1' ? describe : describe.skip)('13 scale-out robustness: recovery on Redis is bounded', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let dir: string;
  let server: RunningLesson;
  let stats: ReturnType<typeof createClient>;

  before(async function () {
    if (!hasRedis) throw new Error(REDIS_SKIP_NOTE.replace('skipped', 'cannot run'));
    redis = await startRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-recovery-'));
    // A stream allowed more bytes than this test writes: what bounds the recovery here is the read.
    const { adapter, close } = await redisAdapter(redis.url, { blockTimeInMs: 100, maxStreamBytes: 64_000_000 });
    server = await start({ dbFile: path.join(dir, 'chat.db'), adapter, recovery: true, onClose: close, joinRateLimit: LOOSE, rateLimit: LOOSE });
    stats = createClient({ url: redis.url });
    await stats.connect();
  });
  after(async () => {
    await stats?.quit();
    await server?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sentByRedis = async () => Number(/^total_net_output_bytes:(\d+)/m.exec(await stats.info('stats'))![1]);
  const streamBytes = async () => Number(await stats.sendCommand(['MEMORY', 'USAGE', 'socket.io', 'SAMPLES', '0']));

  it(`reads at most MAX_REPLAY (${MAX_REPLAY} entries) to restore a session, however far behind its offset`, async () => {
    const ann = await connect(server.url, { reconnection: false });
    expect(await ann.timeout(2000).emitWithAck('join', { name: 'Ann', room: 'Behind' })).toMatchObject({ ok: true });
    const bob = await connect(server.url, { localAddress: '127.0.0.3' } as object);
    expect(await bob.timeout(2000).emitWithAck('join', { name: 'Bob', room: 'Behind' })).toMatchObject({ ok: true });
    const heard = waitFor(ann, 'newMessage', 2000, (message: { text?: string }) => message.text === 'an offset for Ann');
    await bob.timeout(2000).emitWithAck('createMessage', { text: 'an offset for Ann' });
    await heard; // Ann has an offset in the stream now

    ann.io.engine.close(); // her connection drops
    // Meanwhile, another room talks: ENTRIES entries of 2 KB in the stream after Ann's offset.
    for (let i = 0; i < ENTRIES; i++) server.io!.to(channel('elsewhere')).emit('newMessage', { from: 'Loud', text: ENTRY_TEXT, createdAt: 0 });
    const written = ENTRIES * ENTRY_TEXT.length;
    while ((await streamBytes()) < written) await pause(20);
    // The server's own reader of the stream catches up with those entries too: wait until Redis is quiet.
    for (let last = await sentByRedis(); ; ) {
      await pause(200);
      const now = await sentByRedis();
      if (now - last < 100_000) break;
      last = now;
    }

    const before = await sentByRedis();
    ann.connect(); // with her session id and offset: a recovery
    await new Promise<void>((resolve, reject) => (ann.once('connect', resolve), ann.once('connect_error', reject)));
    const read = (await sentByRedis()) - before;

    // Before: the whole stream after her offset (6 MB), read and decoded.
    expect({ read, atMostTheLimit: read < (MAX_REPLAY + 1) * ENTRY_TEXT.length * 1.5 }).toEqual({ read, atMostTheLimit: true });
    expect(ann.recovered).toBe(false); // too far behind: she starts afresh, and her join gets the room from the store
  });

  it('keeps the stream within its size in bytes, not only in entries', async () => {
    expect(await streamBytes()).toBeGreaterThan(ENTRIES * ENTRY_TEXT.length); // the 6 MB the test above wrote
    const small = await redisAdapter(redis.url, { blockTimeInMs: 100, maxStreamBytes: 1_000_000, trimEveryMs: 50 });
    // A server of its own for it: the adapter's reader stops when its last server closes.
    const io = new Server({ adapter: small.adapter });
    try {
      const until = Date.now() + 3000;
      while ((await streamBytes()) > 1_000_000 && Date.now() < until) await pause(50);
      expect(await streamBytes()).toBeLessThanOrEqual(1_000_000);
    } finally {
      await io.of('/').adapter.close(); // io was never attached to a port: its adapter is all there is to close
      await small.close();
    }
  });
});
