import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { GAP_NOTICE, HISTORY, MAX_CATCH_UP, MAX_CATCH_UP_BYTES } from '../../lessons/12-delivery/catch-up';
import type { ClientToServerEvents, LocationMessage, Message, ServerToClientEvents } from '../../lessons/12-delivery/events';
import { serverOffsetOf } from '../../lessons/12-delivery/offsets';
import { channel, JOINS_LIMITED, NOT_JOINED, start, type DeliveryOptions } from '../../lessons/12-delivery/server';
import { dbFileFromEnv, DEFAULT_DB_FILE, syncFromEnv } from '../../lessons/12-delivery/settings';
import { MessageStore } from '../../lessons/12-delivery/store';
import { RATE_LIMITED } from '../../shared/rate-limit';
import type { RunningLesson } from '../../shared/run';
import { collect, connect, emitRaw, pause, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const join = (client: Client, name: string, room: string) => client.timeout(1000).emitWithAck('join', { name, room });
const say = (client: Client, text: string, clientOffset?: string) =>
  client.timeout(1000).emitWithAck('createMessage', clientOffset === undefined ? { text } : { text, clientOffset });
/** A round trip: whatever the server sent this client before has arrived once this resolves. */
const sync = (client: Client) => emitRaw(client, 'sync', []);
/** The stored messages (those with an id) a client gets from now on, as "id from: text". */
function stored(client: Client): Message[] {
  const seen: Message[] = [];
  client.on('newMessage', (message) => {
    if (message.id !== undefined) seen.push(message);
  });
  return seen;
}
const texts = (messages: Message[]) => messages.map(({ from, text }) => `${from}: ${text}`);

/** A client that reconnects quickly, as a page would (but sooner), and sends `auth`. */
function reconnecting(url: string, auth: object = { serverOffset: 0 }, more: object = {}): Promise<Client> {
  return connect<Client>(url, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100, auth, ...more } as object);
}

async function waitUntil(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} did not happen within ${ms} ms`);
    await pause(10);
  }
}

const memory: DeliveryOptions = { dbFile: ':memory:', rateLimit: { burst: 100, perSecond: 100 }, joinRateLimit: { burst: 100, perSecond: 100 } };

describe('12 delivery', () => {
  const lesson = useLesson(start, memory);
  let room = 0;
  /** A room of its own for each test: the store outlives the tests' clients. */
  const fresh = () => `Room ${++room}`;

  it('stores every message and sends it to the room with its id; ids grow; notices have none', async () => {
    const name = fresh();
    const [ann, bob, cy] = await Promise.all([1, 2, 3].map(() => connect<Client>(lesson().url)));
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    await join(cy, 'Cy', `${name} elsewhere`);
    await Promise.all([ann, bob, cy].map(sync));
    const [bobSaw, cySaw] = [collect(bob, 'newMessage') as Message[], collect(cy, 'newMessage')];
    const places = collect(bob, 'newLocationMessage') as LocationMessage[];
    await expect(say(ann, '  one  ')).resolves.toEqual({ ok: true });
    await expect(bob.timeout(1000).emitWithAck('createLocationMessage', { latitude: 48.85, longitude: 2.35 })).resolves.toEqual({ ok: true });
    await expect(say(ann, 'two')).resolves.toEqual({ ok: true });
    await Promise.all([bob, cy].map(sync));
    expect(bobSaw).toEqual([
      { id: expect.any(Number), from: 'Ann', text: 'one', createdAt: expect.any(Number) },
      { id: expect.any(Number), from: 'Ann', text: 'two', createdAt: expect.any(Number) },
    ]);
    expect(places).toEqual([{ id: expect.any(Number), from: 'Bob', url: 'https://www.google.com/maps?q=48.85,2.35', createdAt: expect.any(Number) }]);
    const ids = [bobSaw[0].id!, places[0].id, bobSaw[1].id!];
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect(cySaw).toEqual([]);
    // Admin's notices are not stored: no id.
    const dee = await connect<Client>(lesson().url);
    const notice = waitFor(ann, 'newMessage', 1000, (message) => message.text === 'Dee has joined');
    await join(dee, 'Dee', name);
    expect(await notice).toEqual({ from: 'Admin', text: 'Dee has joined', createdAt: expect.any(Number) });
  });

  it("gives a newcomer the room's last 50 messages, oldest first, after the welcome, and nothing from other rooms", async () => {
    const name = fresh();
    const ann = await connect<Client>(lesson().url);
    await join(ann, 'Ann', name);
    for (let i = 1; i <= HISTORY + 5; i++) await say(ann, `m${i}`);
    const cy = await connect<Client>(lesson().url);
    await join(cy, 'Cy', `${name} elsewhere`);
    await say(cy, 'from elsewhere');

    const dee = await connect<Client>(lesson().url);
    const all = collect(dee, 'newMessage') as Message[];
    await expect(join(dee, 'Dee', name.toUpperCase())).resolves.toMatchObject({ ok: true, room: name });
    await sync(dee);
    expect(HISTORY).toBe(50);
    expect(texts(all)).toEqual([`Admin: Welcome to ${name}, Dee!`, ...Array.from({ length: 50 }, (_, i) => `Ann: m${i + 6}`)]);
    // Someone who opens an empty room gets no history.
    const eve = await connect<Client>(lesson().url);
    const eveSaw = stored(eve);
    await join(eve, 'Eve', fresh());
    await sync(eve);
    expect(eveSaw).toEqual([]);
  });

  it('recovers a dropped transport: same socket, same room, and the messages sent meanwhile, once and in order', async () => {
    const name = fresh();
    // Back in 1 s: long enough for Bob to send while Ann is away.
    const ann = await reconnecting(lesson().url, { serverOffset: 0 }, { reconnectionDelay: 1000, reconnectionDelayMax: 1000, randomizationFactor: 0 });
    const bob = await connect<Client>(lesson().url);
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    await sync(ann);
    const annSaw = collect(ann, 'newMessage') as Message[];
    const bobSaw = collect(bob, 'newMessage') as Message[];
    const id = ann.id!;
    const sockets = lesson().io!.of('/').sockets;

    const back = waitFor(ann, 'connect' as never, 3000);
    ann.io.engine.close(); // the transport drops, as on a wifi blip; the socket reconnects by itself
    await waitUntil(() => !sockets.has(id), 'the server noticing the drop');
    for (const text of ['while', 'you', 'were out']) await say(bob, text);
    expect(ann.connected).toBe(false);
    await back;
    expect(ann.recovered).toBe(true);
    expect(ann.id).toBe(id);
    await sync(ann);
    expect(texts(annSaw)).toEqual(['Bob: while', 'Bob: you', 'Bob: were out']); // not "Ann has left"
    expect(lesson().io!.of('/').adapter.rooms.get(channel(name.toLowerCase()))?.has(id)).toBe(true);
    // The server has her back as Ann: she can send, and the room hears she is back.
    await expect(say(ann, 'back')).resolves.toEqual({ ok: true });
    await sync(bob);
    expect(texts(bobSaw)).toEqual(['Admin: Ann has left', 'Bob: while', 'Bob: you', 'Bob: were out', 'Admin: Ann is back', 'Ann: back']);
  });

  it('takes a recovered socket out of its room when its name was taken meanwhile: no message reaches it until it joins', async () => {
    const name = fresh();
    const ann = await reconnecting(lesson().url, { serverOffset: 0 }, { reconnectionDelay: 1000, reconnectionDelayMax: 1000, randomizationFactor: 0 });
    const bob = await connect<Client>(lesson().url);
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    await sync(ann);
    const sockets = lesson().io!.of('/').sockets;
    const id = ann.id!;
    const back = waitFor(ann, 'connect' as never, 3000);
    ann.io.engine.close();
    await waitUntil(() => !sockets.has(id), 'the server noticing the drop');
    const impostor = await connect<Client>(lesson().url);
    await expect(join(impostor, 'Ann', name)).resolves.toMatchObject({ ok: true });
    await back;
    expect(ann.recovered).toBe(true);
    const annSaw = stored(ann);
    await say(bob, 'not for the old Ann');
    await sync(ann);
    expect(annSaw).toEqual([]);
    await expect(say(ann, 'hello?')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(join(ann, 'Ann', name)).resolves.toMatchObject({ ok: false, error: expect.stringContaining('taken') });
  });

  it('sends a rejoin that was not recovered exactly what it missed, in order, from its serverOffset', async () => {
    const name = fresh();
    const [ann, bob] = [await connect<Client>(lesson().url), await connect<Client>(lesson().url)];
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    await say(bob, 'seen 1');
    const last = waitFor(ann, 'newMessage', 1000, (message) => message.text === 'seen 2');
    await say(bob, 'seen 2');
    const serverOffset = (await last).id!;
    ann.close(); // gone for good: this socket cannot be recovered
    for (const text of ['missed 1', 'missed 2', 'missed 3']) await say(bob, text);

    const again = await connect<Client>(lesson().url, { auth: { serverOffset } } as object);
    expect(again.recovered).toBe(false);
    const all = collect(again, 'newMessage') as Message[];
    await join(again, 'Ann', name);
    await sync(again);
    expect(texts(all)).toEqual([`Admin: Welcome to ${name}, Ann!`, 'Bob: missed 1', 'Bob: missed 2', 'Bob: missed 3']);
    expect(all.slice(1).every((message) => message.id! > serverOffset)).toBe(true);
  });

  it('answers a retry with the same clientOffset { ok: true } again, and stores and sends it once', async () => {
    const name = fresh();
    const [ann, bob] = [await connect<Client>(lesson().url), await connect<Client>(lesson().url)];
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    const bobSaw = stored(bob);
    await expect(say(ann, 'once', 'ann-1')).resolves.toEqual({ ok: true });
    await expect(say(ann, 'once', 'ann-1')).resolves.toEqual({ ok: true });
    await expect(say(ann, 'once, whatever the text', 'ann-1')).resolves.toEqual({ ok: true });
    // A client offset is unique per user: Bob's "ann-1" is his own message.
    await expect(say(bob, 'mine', 'ann-1')).resolves.toEqual({ ok: true });
    await expect(say(ann, 'twice is fine without one')).resolves.toEqual({ ok: true });
    await expect(say(ann, 'twice is fine without one')).resolves.toEqual({ ok: true });
    await sync(bob);
    expect(texts(bobSaw)).toEqual(['Ann: once', 'Bob: mine', 'Ann: twice is fine without one', 'Ann: twice is fine without one']);
    // A newcomer gets it once too: it was stored once.
    const dee = await connect<Client>(lesson().url);
    const deeSaw = stored(dee);
    await join(dee, 'Dee', name);
    await sync(dee);
    expect(texts(deeSaw)).toEqual(texts(bobSaw));
  });

  it("delivers once a message whose acknowledgement was lost: Socket.IO's retries resend it, with its clientOffset", async () => {
    const name = fresh();
    const ann = await reconnecting(lesson().url, { serverOffset: 0 }, { ackTimeout: 500, retries: 3 });
    const bob = await connect<Client>(lesson().url);
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    const bobSaw = stored(bob);
    // The message arrives, is stored and sent to the room; the connection drops before the
    // acknowledgement reaches Ann. Her client sends it again once it has reconnected.
    ann.once('newMessage', () => ann.io.engine.close());
    await expect(ann.emitWithAck('createMessage', { text: 'exactly once', clientOffset: 'ann-lost-ack' })).resolves.toEqual({ ok: true });
    expect(ann.recovered).toBe(true);
    await sync(bob);
    expect(texts(bobSaw)).toEqual(['Ann: exactly once']);
  });

  it('treats a malformed serverOffset as 0: a newcomer, who gets the last messages', async () => {
    const name = fresh();
    const ann = await connect<Client>(lesson().url);
    await join(ann, 'Ann', name);
    for (const text of ['a', 'b', 'c']) await say(ann, text);
    const highest = 1e6; // no store here has given that many ids
    const bad = ['5', 'abc', -1, 0.5, NaN, Infinity, 1e308, 2 ** 53, highest, null, true, [3], { id: 3 }, "1 OR 1=1; DROP TABLE messages"];
    for (const [i, serverOffset] of bad.entries()) {
      const client = await connect<Client>(lesson().url, { auth: { serverOffset } } as object);
      const seen = stored(client);
      await expect(join(client, `Bad ${i}`, name)).resolves.toMatchObject({ ok: true });
      await sync(client);
      expect({ serverOffset, got: texts(seen) }).toEqual({ serverOffset, got: ['Ann: a', 'Ann: b', 'Ann: c'] });
      client.close();
    }
    expect(serverOffsetOf({ serverOffset: 3 }, 10)).toBe(3);
    expect(serverOffsetOf({ serverOffset: 11 }, 10)).toBe(0); // from another database
    expect(serverOffsetOf('serverOffset=3', 10)).toBe(0);
    expect(serverOffsetOf(undefined, 10)).toBe(0);
    await expect(say(ann, 'still here')).resolves.toEqual({ ok: true }); // and the store is intact
  });

  it('refuses a clientOffset that is not a string of 1 to 64 characters, and it reaches no one', async () => {
    const name = fresh();
    const [ann, bob] = [await connect<Client>(lesson().url), await connect<Client>(lesson().url)];
    await join(ann, 'Ann', name);
    await join(bob, 'Bob', name);
    const bobSaw = stored(bob);
    const error = 'clientOffset must be a string of 1 to 64 characters';
    for (const clientOffset of [null, 42, '', 'x'.repeat(65), { id: 1 }, ['a'], true]) {
      await expect(emitRaw(ann, 'createMessage', [{ text: 'hi', clientOffset }])).resolves.toEqual({ ok: false, error });
    }
    await expect(emitRaw(ann, 'createMessage', [{ text: 'hi', clientOffset: 'a', from: 'Bob' }])).resolves.toEqual({ ok: false, error: 'unexpected field "from"' });
    await expect(emitRaw(ann, 'createMessage', [{ clientOffset: 'a' }])).resolves.toEqual({ ok: false, error: 'text must be a string' });
    await expect(emitRaw(ann, 'createMessage', ['hi'])).resolves.toEqual({ ok: false, error: 'expected an object like { text, clientOffset }' });
    await expect(say(ann, 'sixty-four', 'x'.repeat(64))).resolves.toEqual({ ok: true });
    await expect(say(ann, 'quotes', `'); DROP TABLE messages; --`)).resolves.toEqual({ ok: true });
    await sync(bob);
    expect(texts(bobSaw)).toEqual(['Ann: sixty-four', 'Ann: quotes']);
  });

  it('refuses messages before joining, bad joins and unknown events; then takes good ones', async () => {
    const name = fresh();
    const stranger = await connect<Client>(lesson().url);
    await expect(say(stranger, 'hi', 'x')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(stranger.timeout(1000).emitWithAck('createLocationMessage', { latitude: 1, longitude: 2 })).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(emitRaw(stranger, 'join', [{ name: 'Admin', room: name }])).resolves.toEqual({ ok: false, error: 'the name "Admin" is kept for the server' });
    await expect(emitRaw(stranger, 'join', [null])).resolves.toEqual({ ok: false, error: 'expected an object like { name, room }' });
    await expect(emitRaw(stranger, 'leave', [{}])).resolves.toEqual({ ok: false, error: 'unknown event "leave"' });
    await emitRaw(stranger, 'createMessage', [{ text: 'no ack' }], false);
    await expect(join(stranger, 'Sam', name)).resolves.toEqual({ ok: true, name: 'Sam', room: name });
    await expect(say(stranger, 'hi')).resolves.toEqual({ ok: true });
  });

  it('sends the room its user list, welcomes the newcomer, and says who left', async () => {
    const name = fresh();
    const ann = await connect<Client>(lesson().url);
    await join(ann, 'Ann', name);
    const list = waitFor(ann, 'updateUserList', 1000, (names) => names.length === 2);
    const bob = await connect<Client>(lesson().url);
    const bobSaw = collect(bob, 'newMessage') as Message[];
    await join(bob, 'Bob', name);
    expect(await list).toEqual(['Ann', 'Bob']);
    await sync(bob);
    expect(texts(bobSaw)).toEqual([`Admin: Welcome to ${name}, Bob!`]);
    const left = waitFor(ann, 'newMessage', 1000, (message) => message.text === 'Bob has left');
    const alone = waitFor(ann, 'updateUserList', 1000, (names) => names.length === 1);
    bob.close();
    await left;
    expect(await alone).toEqual(['Ann']);
  });

  it('moves a user who joins another room, and gives them that room’s last messages', async () => {
    const [first, second] = [fresh(), fresh()];
    const [ann, bob] = [await connect<Client>(lesson().url), await connect<Client>(lesson().url)];
    await join(ann, 'Ann', first);
    await join(bob, 'Bob', second);
    await say(bob, 'in the second room');
    const annSaw = stored(ann);
    await expect(join(ann, 'Ann', second)).resolves.toEqual({ ok: true, name: 'Ann', room: second });
    await sync(ann);
    expect(texts(annSaw)).toEqual(['Bob: in the second room']);
    // The same room, again: nothing is sent twice.
    await expect(join(ann, 'Ann', second)).resolves.toMatchObject({ ok: true });
    await sync(ann);
    expect(annSaw).toHaveLength(1);
  });

  it('serves the join page, the chat page and their scripts', async () => {
    const base = lesson().url;
    expect(await (await fetch(`${base}/`)).text()).toContain('action="chat.html"');
    expect(await (await fetch(`${base}/chat.html`)).text()).toContain('id="delivery"');
    for (const script of ['app.js', 'join.js']) {
      expect((await fetch(`${base}/${script}`)).headers.get('content-type')).toContain('javascript');
    }
  });
});

describe('12 delivery, limits', () => {
  // keepStoredMs 0: no time floor under the count (see the next block).
  const lesson = useLesson(start, { dbFile: ':memory:', maxStoredPerRoom: 5, keepStoredMs: 0, rateLimit: { burst: 3, perSecond: 0.001 } });

  it('keeps at most maxStoredPerRoom messages per room: a rejoin from an old offset gets those, after a notice of the gap', async () => {
    const ann = await connect<Client>(lesson().url, { localAddress: '127.0.0.2' } as object);
    const bob = await connect<Client>(lesson().url, { localAddress: '127.0.0.3' } as object);
    const cy = await connect<Client>(lesson().url, { localAddress: '127.0.0.4' } as object);
    await join(ann, 'Ann', 'Small');
    await join(bob, 'Bob', 'Small');
    await join(cy, 'Cy', 'Small');
    const first = waitFor(bob, 'newMessage', 1000, (message) => message.text === 'a1');
    for (const [client, who] of [[ann, 'a'], [bob, 'b'], [cy, 'c']] as const) {
      for (let i = 1; i <= 3; i++) await expect(say(client, `${who}${i}`)).resolves.toEqual({ ok: true });
    }
    const serverOffset = (await first).id!;
    const dee = await connect<Client>(lesson().url, { auth: { serverOffset }, localAddress: '127.0.0.5' } as object);
    const deeSaw = stored(dee);
    const all = collect(dee, 'newMessage') as Message[];
    await join(dee, 'Dee', 'Small');
    await sync(dee);
    // Nine were sent, from a1 on; the store kept the last five, and Dee is told the rest is gone.
    expect(texts(deeSaw)).toEqual(['Bob: b2', 'Bob: b3', 'Cy: c1', 'Cy: c2', 'Cy: c3']);
    expect(all.slice(0, 2)).toEqual([
      { from: 'Admin', text: 'Welcome to Small, Dee!', createdAt: expect.any(Number) },
      { from: 'Admin', text: GAP_NOTICE, createdAt: expect.any(Number), gap: true },
    ]);
    // Someone who saw up to b2 missed nothing the store lost: no notice.
    const eve = await connect<Client>(lesson().url, { auth: { serverOffset: deeSaw[0].id }, localAddress: '127.0.0.5' } as object);
    const eveAll = collect(eve, 'newMessage') as Message[];
    await join(eve, 'Eve', 'Small');
    await sync(eve);
    expect(texts(eveAll)).toEqual(['Admin: Welcome to Small, Eve!', 'Bob: b3', 'Cy: c1', 'Cy: c2', 'Cy: c3']);
  });

  it('answers a retry without using up the rate limit: it costs the server nothing', async () => {
    const ann = await connect<Client>(lesson().url, { localAddress: '127.0.0.6' } as object);
    await join(ann, 'Ann', 'Limits');
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await say(ann, 'the same', 'same-offset'));
    expect(replies).toEqual(Array(6).fill({ ok: true }));
    await expect(say(ann, 'two')).resolves.toEqual({ ok: true });
    await expect(say(ann, 'three')).resolves.toEqual({ ok: true });
    await expect(say(ann, 'four')).resolves.toEqual({ ok: false, error: RATE_LIMITED });
  });
});

describe('12 delivery, a time floor under the count', () => {
  const lesson = useLesson(start, { dbFile: ':memory:', maxStoredPerRoom: 5, keepStoredMs: 60_000, rateLimit: { burst: 3, perSecond: 0.001 } });

  it('keeps every message younger than keepStoredMs, however many: a rejoin gets them all, and no notice', async () => {
    const clients = await Promise.all([2, 3, 4].map((n) => connect<Client>(lesson().url, { localAddress: `127.0.0.${n}` } as object)));
    for (const [i, client] of clients.entries()) await join(client, `S${i}`, 'Floor');
    const first = waitFor(clients[1], 'newMessage', 1000, (message) => message.text === 'S0 1');
    for (const [i, client] of clients.entries()) {
      for (let k = 1; k <= 3; k++) await expect(say(client, `S${i} ${k}`)).resolves.toEqual({ ok: true });
    }
    const serverOffset = (await first).id!;
    const dee = await connect<Client>(lesson().url, { auth: { serverOffset }, localAddress: '127.0.0.5' } as object);
    const all = collect(dee, 'newMessage') as Message[];
    await join(dee, 'Dee', 'Floor');
    await sync(dee);
    expect(texts(all)).toEqual(['Admin: Welcome to Floor, Dee!', 'S0: S0 2', 'S0: S0 3', 'S1: S1 1', 'S1: S1 2', 'S1: S1 3', 'S2: S2 1', 'S2: S2 2', 'S2: S2 3']);
  });
});

describe('12 delivery, the store on its own', () => {
  const add = (store: MessageStore, text: string, createdAt: number) =>
    store.add({ roomKey: 'r', author: 'Ann', text, url: null, clientOffset: null, createdAt });

  it('keeps messages younger than keepMs past the count, and none with keepMs 0, even sent in one millisecond; notes the gap', () => {
    const now = Date.now();
    const none = new MessageStore(':memory:', { maxPerRoom: 2, keepMs: 0 });
    const ids = ['a', 'b', 'c', 'd'].map((text) => add(none, text, now)!);
    expect(none.latest('r', 10).map(({ text }) => text)).toEqual(['c', 'd']);
    expect([none.gapAfter('r', ids[0]), none.gapAfter('r', ids[1]), none.gapAfter('r', ids[2])]).toEqual([true, false, false]);
    none.close();
    const floor = new MessageStore(':memory:', { maxPerRoom: 2, keepMs: 60_000 });
    add(floor, 'old', now - 61_000);
    for (const text of ['a', 'b', 'c']) add(floor, text, now);
    expect(floor.latest('r', 10).map(({ text }) => text)).toEqual(['a', 'b', 'c']);
    floor.close();
  });
});

describe('12 delivery, a page away while a room said a lot', () => {
  const lesson = useLesson(start, { dbFile: ':memory:', rateLimit: { burst: 2000, perSecond: 2000 } });

  it('does not recover a socket that missed more than 1,000 packets (they could get it cut off): its rejoin gets the last 1,000 from the store, after a notice of the gap', async function () {
    this.timeout(30_000);
    const auth = { serverOffset: 0 };
    const ann = await reconnecting(lesson().url, auth, { reconnectionDelay: 3000, reconnectionDelayMax: 3000, randomizationFactor: 0 });
    ann.on('newMessage', ({ id }) => {
      if (id !== undefined) auth.serverOffset = id;
    });
    const bob = await connect<Client>(lesson().url, { localAddress: '127.0.0.8' } as object);
    await join(ann, 'Ann', 'Busy');
    await join(bob, 'Bob', 'Busy');
    const seen = waitFor(ann, 'newMessage', 1000, (message) => message.text === 'before');
    await say(bob, 'before');
    await seen;
    const id = ann.id!;
    const back = waitFor(ann, 'connect' as never, 20_000);
    ann.io.engine.close();
    await waitUntil(() => !lesson().io!.of('/').sockets.has(id), 'the server noticing the drop');
    // 1,100 messages while Ann is away: recovered, they would all be sent her at once.
    const gaps = collect(ann, 'newMessage') as Message[];
    for (let batch = 0; batch < 11; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => say(bob, `m${batch * 100 + i + 1}`)));
    }
    await back;
    expect(ann.recovered).toBe(false);
    const annSaw = stored(ann);
    await join(ann, 'Ann', 'Busy');
    await sync(ann);
    expect(MAX_CATCH_UP).toBe(1000);
    expect(annSaw.length).toBe(1000);
    expect([annSaw[0].text, annSaw.at(-1)!.text]).toEqual(['m101', 'm1100']);
    expect(gaps.filter((message) => message.gap).map(({ text }) => text)).toEqual([GAP_NOTICE]);
    expect(ann.connected).toBe(true);
  });
});

describe('12 delivery, a page away while a room said a lot of quotes', () => {
  const lesson = useLesson(start, { dbFile: ':memory:', rateLimit: { burst: 2000, perSecond: 2000 } });

  it('sends a rejoin no more than fits under the cut-off (600 KB): the newest, after a notice of the gap, and the page stays connected', async function () {
    this.timeout(30_000);
    const name = 'Quotes';
    const bob = await connect<Client>(lesson().url, { localAddress: '127.0.0.9' } as object);
    await join(bob, 'Bob', name);
    const seen = waitFor(bob, 'newMessage', 1000, (message) => message.text === 'before');
    await say(bob, 'before');
    const serverOffset = (await seen).id!;
    // 950 messages of 500 quotes: each takes over 1,000 characters as JSON ("\""), 1 MB in all.
    const quotes = '"'.repeat(500);
    for (let batch = 0; batch < 19; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => say(bob, quotes)));
    }
    const ann = await connect<Client>(lesson().url, { auth: { serverOffset } } as object);
    const all = collect(ann, 'newMessage') as Message[];
    await join(ann, 'Ann', name);
    await sync(ann);
    expect(ann.connected).toBe(true);
    const got = all.filter((message) => message.id !== undefined);
    expect(got.length).toBeGreaterThan(500);
    expect(got.length).toBeLessThan(950);
    expect(got.reduce((bytes, message) => bytes + JSON.stringify(message).length, 0)).toBeLessThanOrEqual(MAX_CATCH_UP_BYTES);
    expect(all.filter((message) => message.gap).map(({ text }) => text)).toEqual([GAP_NOTICE]);
    expect(got.at(-1)!.id).toBe(Math.max(...got.map(({ id }) => id!))); // the newest, oldest first
  });
});

describe('12 delivery, a restart on one DB_FILE', () => {
  let dir: string;
  let lesson: RunningLesson | undefined;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lesson12-'));
  });
  afterEach(async () => {
    await lesson?.close();
    lesson = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loses nothing acknowledged: ids, history and client offsets mean the same after the restart', async () => {
    const dbFile = path.join(dir, 'chat.db');
    lesson = await start({ dbFile });
    const port = Number(new URL(lesson.url).port);
    const auth = { serverOffset: 0 };
    const ann = await reconnecting(lesson.url, auth);
    ann.on('newMessage', ({ id }) => {
      if (id !== undefined) auth.serverOffset = id; // as the page does
    });
    ann.on('connect', () => void join(ann, 'Ann', 'Lobby').catch(() => {})); // as the page does: rejoin on every connection
    const bob = await reconnecting(lesson.url);
    bob.on('connect', () => void join(bob, 'Bob', 'Lobby').catch(() => {}));
    await join(ann, 'Ann', 'Lobby');
    await join(bob, 'Bob', 'Lobby');
    const acked: string[] = [];
    for (const text of ['before 1', 'before 2']) {
      expect(await say(bob, text, `bob-${text}`)).toEqual({ ok: true });
      acked.push(text);
    }
    await waitUntil(() => auth.serverOffset > 0, 'Ann seeing the messages');
    const seenBefore = auth.serverOffset;

    // The server stops and starts again on the same port and file. Ann's page is slow to come back.
    ann.io.reconnectionDelay(2000).reconnectionDelayMax(2000); // back in 1 to 2 s
    const annSaw = stored(ann);
    const [bobBack, annBack] = [waitFor(bob, 'connect' as never, 3000), waitFor(ann, 'connect' as never, 5000)];
    await lesson.close();
    lesson = await start({ dbFile, port });
    await bobBack;
    expect(bob.recovered).toBe(false); // a new server knows no session
    await waitUntil(() => lesson!.io!.of('/').adapter.rooms.get(channel('lobby'))?.size === 1, 'Bob rejoining');
    // Bob's retry of a message stored before the restart is answered, and not stored again.
    await expect(say(bob, 'before 2', 'bob-before 2')).resolves.toEqual({ ok: true });
    await expect(say(bob, 'after', 'bob-after')).resolves.toEqual({ ok: true });
    await annBack;
    await waitUntil(() => annSaw.length >= 1, 'Ann getting what she missed', 2000);
    await sync(ann);
    expect(texts(annSaw)).toEqual(['Bob: after']);
    expect(annSaw[0].id).toBeGreaterThan(seenBefore);

    // A newcomer gets everything acknowledged, once, with the ids from before the restart.
    const dee = await connect<Client>(lesson.url);
    const deeSaw = stored(dee);
    await join(dee, 'Dee', 'lobby');
    await sync(dee);
    expect(texts(deeSaw)).toEqual([...acked.map((text) => `Bob: ${text}`), 'Bob: after']);
    expect(deeSaw[1].id).toBe(seenBefore);
  });

  it('creates the file and its table on first start, in DB_FILE or the data folder; says why it cannot', async () => {
    expect(dbFileFromEnv({})).toBe(DEFAULT_DB_FILE);
    expect(DEFAULT_DB_FILE).toBe(path.join(__dirname, '..', '..', 'lessons', '12-delivery', 'data', 'chat.db'));
    expect(dbFileFromEnv({ DB_FILE: 'here.db' })).toBe('here.db');
    expect([syncFromEnv({}), syncFromEnv({ DB_SYNC: 'full' })]).toEqual(['NORMAL', 'FULL']);
    expect(() => syncFromEnv({ DB_SYNC: 'sometimes' })).toThrow('DB_SYNC must be NORMAL or FULL, not "sometimes"');
    lesson = await start({ dbFile: path.join(dir, 'new', 'folder', 'chat.db'), dbSync: 'FULL' });
    const client = await connect<Client>(lesson.url);
    await join(client, 'Ann', 'Lobby');
    await expect(say(client, 'hello')).resolves.toEqual({ ok: true });
    await expect(start({ dbFile: dir })).rejects.toThrow(/Could not open the message store .*: .*Set DB_FILE to a file you may write/);
  });
});

describe('12 delivery, join limits', () => {
  const lesson = useLesson(start, { dbFile: ':memory:', joinRateLimit: { burst: 1, perSecond: 0.001 } });

  it('counts a recovery as a join: past the join limit, the socket must join again', async () => {
    const from7 = { localAddress: '127.0.0.7' };
    // One address may join as often as 3 sockets: two others use up two of its joins.
    for (const room of ['One', 'Two']) await join(await connect<Client>(lesson().url, from7 as object), 'Someone', room);
    const ann = await reconnecting(lesson().url, { serverOffset: 0 }, from7);
    await expect(join(ann, 'Ann', 'Lobby')).resolves.toMatchObject({ ok: true });
    const id = ann.id!;
    const back = waitFor(ann, 'connect' as never, 3000);
    ann.io.engine.close();
    await waitUntil(() => !lesson().io!.of('/').sockets.has(id), 'the server noticing the drop');
    await back;
    expect(ann.recovered).toBe(true);
    await expect(say(ann, 'hi')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(join(ann, 'Ann', 'Lobby')).resolves.toEqual({ ok: false, error: JOINS_LIMITED });
  });
});
