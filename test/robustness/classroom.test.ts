// 5. What one hostile laptop in a classroom can try, beyond bad payloads:
// sessions that never poll, clients that never read, many sockets from one
// address, and a connect loop. Each attack runs against one lesson (they share
// the mechanism in shared/), from addresses of its own (127.0.0.x), while a
// bystander on another address must get an answer within 1 s throughout.
import http from 'node:http';
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { channel, JOIN_RATE_LIMIT, JOINS_LIMITED, start as startUsers } from '../../lessons/10-users/server';
import { start as startTemplates } from '../../lessons/08-timestamps-templates/server';
import { DEFAULT_LIMITS, TOO_MANY_CONNECTIONS } from '../../shared/clients';
import { CHAT_RATE_LIMIT, RATE_LIMITED, SOCKETS_PER_ADDRESS } from '../../shared/rate-limit';
import { roomFull } from '../../shared/room-events';
import type { RunningLesson } from '../../shared/run';
import { connect, pause } from '../helpers';
import { catchProcessErrors, settle, snapshot } from './watch';

/** Machines in the ghost attack. */
const MACHINES = 10;
/** The room's maximum in these tests: 10 machines' joins overfill it. */
const ROOM = 100;
const from = (address: string) => ({ localAddress: address }) as object;
const join = (client: Socket, name: string, room: string) => client.timeout(2000).emitWithAck('join', { name, room });

/**
 * A bystander on its own address asks the server something every 50 ms and
 * keeps the slowest answer. Any answer counts: a refusal is an answer too.
 */
function watchBystander(client: Socket, ask: () => Promise<unknown>) {
  let slowest = 0;
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const asked = Date.now();
      await ask().catch(() => failures++);
      slowest = Math.max(slowest, Date.now() - asked);
      await pause(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { slowest, failures, connected: client.connected };
    },
  };
}

/** Every line console.warn prints until `stop()`. */
function captureWarnings() {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.join(' '));
  return { lines, stop: () => (console.warn = warn) };
}

/** One plain HTTP request to Engine.IO's polling endpoint, from `localAddress`. */
function poll(url: string, localAddress: string, query: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/socket.io/?EIO=4&transport=polling${query}`,
      { method: body === undefined ? 'GET' : 'POST', localAddress, headers: { 'content-type': 'text/plain' } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('robustness: classroom attacks on 10-users', function () {
  this.timeout(60_000);
  let lesson: RunningLesson;
  let errors: ReturnType<typeof catchProcessErrors>;
  let baseline: ReturnType<typeof snapshot>;
  let bystander: Socket;
  const say = (client: Socket, text: string) => client.timeout(1000).emitWithAck('createMessage', { text });

  beforeEach(async () => {
    errors = catchProcessErrors();
    lesson = await startUsers({ port: 0, maxRoomSize: ROOM });
    baseline = snapshot(lesson);
    bystander = await connect(lesson.url, from('127.0.0.100'));
    await join(bystander, 'Bystander', 'Elsewhere');
  });
  afterEach(async () => {
    bystander.close();
    await lesson.close();
    errors.stop();
  });

  it('sessions that join a room and never poll: capped per address and per room, and nothing piles up', async () => {
    const watch = watchBystander(bystander, () => say(bystander, 'still here?'));
    const sessions: Array<{ address: string; sid: string }> = [];
    const refusals: string[] = [];
    const joins: string[] = [];
    // 10 machines, each trying 25 sessions: 20 get one, and each joins "Ghosts" with a 30-character name.
    await Promise.all(
      Array.from({ length: MACHINES }, async (_, m) => {
        const address = `127.0.0.${m + 2}`;
        for (let i = 0; i < 25; i++) {
          const open = await poll(lesson.url, address, '');
          if (open.status !== 200) {
            refusals.push(JSON.parse(open.text).message);
            continue;
          }
          const sid = JSON.parse(open.text.slice(1)).sid as string;
          sessions.push({ address, sid });
          await poll(lesson.url, address, `&sid=${sid}`, '40');
          const name = `ghost ${m}-${i} `.padEnd(30, 'x');
          await poll(lesson.url, address, `&sid=${sid}`, `420["join",{"name":"${name}","room":"Ghosts"}]`);
          joins.push(name);
        }
      }),
    );
    await pause(200);
    const engine = lesson.io!.engine as unknown as { clients: Record<string, { writeBuffer: Array<{ data?: unknown }> }> };
    const waiting = Object.values(engine.clients).map((conn) =>
      conn.writeBuffer.reduce((bytes, packet) => bytes + String(packet.data ?? '').length, 0),
    );
    const { slowest, failures, connected } = await watch.stop();

    expect(sessions).toHaveLength(MACHINES * DEFAULT_LIMITS.connectionsPerAddress);
    expect(new Set(refusals)).toEqual(new Set([TOO_MANY_CONNECTIONS]));
    expect(lesson.io!.of('/').adapter.rooms.get(channel('ghosts'))?.size).toBe(ROOM); // the room's maximum
    expect(Math.max(...waiting)).toBeLessThan(DEFAULT_LIMITS.waitingBytes);
    expect({ slowest: slowest < 1000, failures, connected }).toEqual({ slowest: true, failures: 0, connected: true });

    // Each session's first poll holds its answer: in, the room is full, or too many joins from its machine.
    const answers = await Promise.all(sessions.map(({ address, sid }) => poll(lesson.url, address, `&sid=${sid}`)));
    const replies = answers.map(({ text }) => JSON.parse(text.match(/430(\[.*?\])(?:\x1e|$)/)![1])[0]);
    const count = (error?: string) => replies.filter((reply) => reply.error === error).length;
    // A machine may join JOIN_RATE_LIMIT.burst × SOCKETS_PER_ADDRESS at once (15), more as its bucket refills:
    // 10 machines get at least 150 joins past the limit, so at least 50 find the room full.
    const perMachine = JOIN_RATE_LIMIT.burst * SOCKETS_PER_ADDRESS;
    expect(count(undefined)).toBe(ROOM);
    expect(count(roomFull('Ghosts', ROOM))).toBeGreaterThanOrEqual(MACHINES * perMachine - ROOM);
    expect(count(roomFull('Ghosts', ROOM)) + count(JOINS_LIMITED)).toBe(sessions.length - ROOM);

    await Promise.all(sessions.map(({ address, sid }) => poll(lesson.url, address, `&sid=${sid}`, '1'))); // goodbye
    bystander.close();
    expect(await settle(lesson, baseline)).toEqual({});
    expect(errors.errors).toEqual([]);
  });

  it('sessions that never poll, cut off in the middle of the storm: the server goes on (a crash once)', async () => {
    // A small cap, so that ghosts are cut off while lists to their room are being sent.
    await lesson.close();
    process.env.MAX_WAITING_BYTES = '20000';
    try {
      lesson = await startUsers({ port: 0 });
    } finally {
      delete process.env.MAX_WAITING_BYTES;
    }
    baseline = snapshot(lesson);
    bystander = await connect(lesson.url, from('127.0.0.100'));
    await join(bystander, 'Bystander', 'Elsewhere');
    const warnings = captureWarnings();
    try {
      await Promise.all(
        Array.from({ length: 10 }, async (_, m) => {
          for (let i = 0; i < 15; i++) {
            const address = `127.0.1.${m + 2}`;
            const sid = JSON.parse((await poll(lesson.url, address, '')).text.slice(1)).sid as string;
            await poll(lesson.url, address, `&sid=${sid}`, '40');
            const name = `ghost ${m}-${i} `.padEnd(30, 'x');
            await poll(lesson.url, address, `&sid=${sid}`, `420["join",{"name":"${name}","room":"Ghosts"}]`);
          }
        }),
      );
      await pause(200);
    } finally {
      warnings.stop();
    }
    expect(warnings.lines.filter((line) => line.startsWith('cut off a client at')).length).toBeGreaterThan(0);
    await expect(say(bystander, 'still here?')).resolves.toEqual({ ok: true });
    expect(errors.errors).toEqual([]);
    const left = Object.keys((lesson.io!.engine as unknown as { clients: object }).clients).length;
    expect(left).toBeLessThan(1 + 10 * 15); // some ghosts are gone
    lesson.io!.disconnectSockets(true);
  });

  it('clients that stop reading: each is cut off at the cap, logged once per address, and nobody else waits', async () => {
    const warnings = captureWarnings();
    try {
      const deaf: Socket[] = [];
      for (let i = 0; i < 10; i++) {
        const client = await connect(lesson.url, from(`127.0.0.${i + 2}`));
        await join(client, `Deaf${i}`, 'Busy');
        (client.io.engine.transport as any).ws._socket.pause(); // reads nothing more, keeps its connection
        deaf.push(client);
      }
      const reader = await connect(lesson.url, from('127.0.0.50'));
      await join(reader, 'Reader', 'Busy');
      let read = 0;
      reader.on('newMessage', () => read++);
      const watch = watchBystander(bystander, () => say(bystander, 'still here?'));

      // The room is busy: 50 messages of 500 characters every 10 ms (a classroom's worth, sped up;
      // this process is the server too, so the traffic it makes is the bystander's wait as well).
      const text = 'x'.repeat(500);
      const members = () => lesson.io!.of('/').adapter.rooms.get(channel('busy'))?.size ?? 0;
      const until = Date.now() + 40_000;
      while (members() > 1 && Date.now() < until) {
        for (let i = 0; i < 50; i++) lesson.io!.to(channel('busy')).emit('newMessage', { from: 'Teacher', text, createdAt: 0 });
        await pause(10);
      }
      await pause(100);
      const { slowest, failures, connected } = await watch.stop();

      expect(members()).toBe(1); // only the reader is left in Busy
      expect(reader.connected).toBe(true);
      expect(read).toBeGreaterThan(1000);
      expect({ slowest: slowest < 1000, failures, connected }).toEqual({ slowest: true, failures: 0, connected: true });
      const cutOff = warnings.lines.filter((line) => line.startsWith('cut off a client at'));
      expect(cutOff).toHaveLength(10);
      expect(new Set(cutOff.map((line) => line.split(':')[0]))).toHaveProperty('size', 10);
      for (const client of [...deaf, reader]) client.close();
    } finally {
      warnings.stop();
    }
    bystander.close();
    expect(await settle(lesson, baseline)).toEqual({});
    expect(errors.errors).toEqual([]);
  });

  it('one address with many sockets: at most the connection cap, and one address’s share of messages', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: DEFAULT_LIMITS.connectionsPerAddress + 10 }, () => connect(lesson.url, from('127.0.0.2'))),
    );
    const sockets = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    expect(sockets).toHaveLength(DEFAULT_LIMITS.connectionsPerAddress);
    // As many as the address may join at once (JOIN_RATE_LIMIT × SOCKETS_PER_ADDRESS) join; they flood.
    const joined = sockets.slice(0, JOIN_RATE_LIMIT.burst * SOCKETS_PER_ADDRESS);
    await Promise.all(joined.map(async (socket, i) => expect(await join(socket, `Bot${i}`, `Bots${i % 3}`)).toMatchObject({ ok: true })));

    const watch = watchBystander(bystander, () => say(bystander, 'still here?'));
    const started = Date.now();
    const replies = await Promise.all(
      joined.flatMap((socket) => Array.from({ length: 20 }, (_, i) => say(socket, `flood ${i}`))),
    );
    const seconds = (Date.now() - started) / 1000;
    const { slowest, failures, connected } = await watch.stop();

    // Without the address's bucket, 15 sockets would get 15 × 10 through at once.
    const share = { burst: CHAT_RATE_LIMIT.burst * SOCKETS_PER_ADDRESS, perSecond: CHAT_RATE_LIMIT.perSecond * SOCKETS_PER_ADDRESS };
    const accepted = replies.filter((reply) => reply.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(share.burst);
    expect(accepted).toBeLessThanOrEqual(share.burst + Math.ceil(seconds * share.perSecond));
    expect(new Set(replies.filter((reply) => !reply.ok).map((reply) => reply.error))).toEqual(new Set([RATE_LIMITED]));
    expect({ slowest: slowest < 1000, failures, connected }).toEqual({ slowest: true, failures: 0, connected: true });
    await expect(say(bystander, 'I am fine')).resolves.toEqual({ ok: true });
    for (const socket of sockets) socket.close();
    bystander.close();
    expect(await settle(lesson, baseline)).toEqual({});
    expect(errors.errors).toEqual([]);
  });
});

describe('robustness: a connect loop on 08-timestamps-templates', function () {
  this.timeout(30_000);

  it('announces a few arrivals from one address, not every connection', async () => {
    const errors = catchProcessErrors();
    const lesson = await startTemplates({ port: 0 });
    try {
      const bystander = await connect(lesson.url, from('127.0.0.100'));
      let notices = 0;
      bystander.on('newMessage', (message: { text?: string }) => {
        if (message?.text === 'A new user joined') notices++;
      });
      const started = Date.now();
      for (let i = 0; i < 100; i++) (await connect(lesson.url, from('127.0.0.2'))).close();
      const seconds = (Date.now() - started) / 1000;
      await pause(100);
      expect(notices).toBeGreaterThanOrEqual(1);
      expect(notices).toBeLessThanOrEqual(5 + Math.ceil(seconds * 0.5)); // ARRIVAL_RATE_LIMIT
      bystander.close();
    } finally {
      await lesson.close();
      errors.stop();
    }
    expect(errors.errors).toEqual([]);
  });
});
