// 7. Membership churn on lesson 13: every join asks every server who is in
// the room. If the answer is each member's whole socket (fetchSockets ships
// its handshake: 15 KB of headers, if the client sent that many), a room of
// big handshakes makes every join cost megabytes between the servers, and
// joins time out ("the other servers did not answer in time"). Two of lesson
// 13's chat servers share a real Redis here, and Redis counts the bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import { createClient } from 'redis';
import type { Socket } from 'socket.io-client';
import { redisAdapter } from '../../lessons/13-scale-out/adapters';
import { start } from '../../lessons/13-scale-out/chat';
import type { RunningLesson } from '../../shared/run';
import { connect } from '../helpers';
import { hasRedis, REDIS_SKIP_NOTE, startRedis, type RedisServer } from '../redis';

const MEMBERS = 20;
const JOINS = 10;
/** What a client may send in its headers (Node's limit is 16 KB). */
const BIG_HEADERS = { 'x-padding': 'x'.repeat(15_000) };
const LOOSE = { burst: 1000, perSecond: 1000 };

const join = (client: Socket, name: string, room: string) => client.timeout(2000).emitWithAck('join', { name, room });

(hasRedis || process.env.REQUIRE_REDIS === '1' ? describe : describe.skip)('13 scale-out robustness: a join ships no handshakes', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let dir: string;
  const servers: RunningLesson[] = [];
  let stats: ReturnType<typeof createClient>;

  before(async function () {
    if (!hasRedis) throw new Error(REDIS_SKIP_NOTE.replace('skipped', 'cannot run'));
    redis = await startRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-membership-'));
    for (const name of ['server A', 'server B']) {
      const { adapter, close } = await redisAdapter(redis.url, { blockTimeInMs: 100 });
      servers.push(await start({ dbFile: path.join(dir, 'chat.db'), name, adapter, recovery: true, onClose: close, joinRateLimit: LOOSE, rateLimit: LOOSE }));
    }
    stats = createClient({ url: redis.url });
    await stats.connect();
  });
  after(async () => {
    await stats?.quit();
    for (const server of servers.splice(0)) await server.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What Redis has read and written so far, in bytes: every message between the servers goes through it. */
  async function redisBytes(): Promise<number> {
    const info = await stats.info('stats');
    const read = (field: string) => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)![1]);
    return read('total_net_input_bytes') + read('total_net_output_bytes');
  }

  /** MEMBERS members on server A, with `headers`; then JOINS joins of newcomers on server B: Redis's bytes per join. */
  async function bytesPerJoin(room: string, headers: Record<string, string>): Promise<number> {
    const [a, b] = servers;
    for (let i = 0; i < MEMBERS; i++) {
      const member = await connect(a.url, { localAddress: `127.0.1.${i + 2}`, extraHeaders: headers } as object);
      expect(await join(member, `Member ${i}`, room)).toMatchObject({ ok: true });
    }
    const newcomers = await Promise.all(Array.from({ length: JOINS }, (_, i) => connect(b.url, { localAddress: `127.0.2.${i + 2}` } as object)));
    const before = await redisBytes();
    for (const [i, newcomer] of newcomers.entries()) expect(await join(newcomer, `Newcomer ${i}`, room)).toMatchObject({ ok: true });
    // The user lists a join asks for come a moment later: wait for the last one.
    const last = newcomers[newcomers.length - 1];
    await new Promise<void>((resolve) => {
      const onList = (names: string[]) => names.length === MEMBERS + JOINS && (last.off('updateUserList', onList), resolve());
      last.on('updateUserList', onList);
    });
    return ((await redisBytes()) - before) / JOINS;
  }

  it(`costs the same with 15 KB headers as with none (${MEMBERS} members on the other server)`, async () => {
    const small = await bytesPerJoin('Small', {});
    const big = await bytesPerJoin('Big', BIG_HEADERS);
    // A member's handshake, shipped once per join, would add 15 KB × MEMBERS (300 KB) to each; the
    // servers' own traffic through Redis (their reads, every 100 ms here) varies by a few KB.
    const handshakes = BIG_HEADERS['x-padding'].length * MEMBERS;
    expect({ small: Math.round(small), big: Math.round(big), difference: Math.round(big - small) < handshakes / 10 }).toEqual({
      small: expect.any(Number),
      big: expect.any(Number),
      difference: true,
    });
  });
});
