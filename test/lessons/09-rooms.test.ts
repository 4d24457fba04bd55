import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { NOT_JOINED, start } from '../../lessons/09-rooms/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/09-rooms/events';
import { RATE_LIMITED } from '../../shared/rate-limit';
import { roomFull } from '../../shared/room-events';
import type { RunningLesson } from '../../shared/run';
import { collect, connect, connectMany, emitRaw, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const join = (client: Client, name: string, room: string) => client.timeout(1000).emitWithAck('join', { name, room });
const say = (client: Client, text: string) => client.timeout(1000).emitWithAck('createMessage', { text });
/**
 * A round trip to the server. Anything the server sent this client before
 * answering has arrived once it resolves, so "nothing came" can be checked
 * without sleeping.
 */
const sync = (client: Client) => emitRaw(client, 'sync', []);
/** Options to connect from another machine: each address has its own limits (arrival notices, connections). */
const from = (address: string) => ({ localAddress: address }) as object;

/**
 * The Socket.IO rooms a client's socket is in on the server, besides the one
 * named by its own id. Found from the socket, not from a room's name, so the
 * tests hold however a room's name becomes a Socket.IO room (exercise 2 makes
 * "Lobby" and "lobby" one).
 */
function roomsOf(lesson: RunningLesson, client: Client): string[] {
  const socket = lesson.io!.of('/').sockets.get(client.id!);
  return [...(socket?.rooms ?? [])].filter((room) => room !== client.id);
}

describe('09 rooms', () => {
  const lesson = useLesson(start, { rateLimit: { burst: 50, perSecond: 50 } });

  /** Ann and Bob in Lobby, Cy in Kitchen; each has joined before it returns. */
  async function twoRooms() {
    const [ann, bob, cy] = await connectMany<Client>(lesson().url, 3);
    await join(ann, 'Ann', 'Lobby');
    await join(bob, 'Bob', 'Lobby');
    await join(cy, 'Cy', 'Kitchen');
    return { ann, bob, cy };
  }

  it('answers a join with the name and room, trimmed, and welcomes the newcomer', async () => {
    const client = await connect<Client>(lesson().url);
    const welcome = waitFor(client, 'newMessage');
    await expect(join(client, '  Ann ', ' Lobby ')).resolves.toEqual({ ok: true, name: 'Ann', room: 'Lobby' });
    expect(await welcome).toMatchObject({ from: 'Admin', text: 'Welcome to Lobby, Ann!' });
    expect(roomsOf(lesson(), client)).toEqual([expect.stringMatching(/lobby/i)]); // one room: the Lobby's
  });

  it('tells the others in the room, and nobody in another room, that someone joined', async () => {
    const { ann, bob, cy } = await twoRooms();
    const [annSaw, bobSaw, cySaw] = [ann, bob, cy].map((client) => collect(client, 'newMessage'));
    const dee = await connect<Client>(lesson().url);
    const deeSaw = collect(dee, 'newMessage');
    await join(dee, 'Dee', 'Lobby');
    await Promise.all([ann, bob, cy, dee].map(sync));
    expect(annSaw).toEqual([expect.objectContaining({ from: 'Admin', text: 'Dee has joined' })]);
    expect(bobSaw).toEqual(annSaw);
    expect(cySaw).toEqual([]);
    expect(deeSaw).toEqual([expect.objectContaining({ text: 'Welcome to Lobby, Dee!' })]);
  });

  it('sends messages and locations to the sender’s room only', async () => {
    const { ann, bob, cy } = await twoRooms();
    const seen = [ann, bob, cy].map((client) => collect(client, 'newMessage'));
    const places = [ann, bob, cy].map((client) => collect(client, 'newLocationMessage'));

    await expect(say(ann, '  hello Lobby ')).resolves.toEqual({ ok: true });
    await expect(say(cy, 'hello Kitchen')).resolves.toEqual({ ok: true });
    await expect(
      cy.timeout(1000).emitWithAck('createLocationMessage', { latitude: 51.5, longitude: -0.12 }),
    ).resolves.toEqual({ ok: true });
    await Promise.all([ann, bob, cy].map(sync));

    const lobby = [expect.objectContaining({ from: 'Ann', text: 'hello Lobby', createdAt: expect.any(Number) })];
    expect(seen).toEqual([lobby, lobby, [expect.objectContaining({ from: 'Cy', text: 'hello Kitchen' })]]);
    expect(places[0]).toEqual([]);
    expect(places[1]).toEqual([]);
    expect(places[2]).toEqual([expect.objectContaining({ from: 'Cy', url: expect.stringContaining('51.5,-0.12') })]);
  });

  it('passes text on as text: the page, not the server, keeps HTML from running', async () => {
    const { ann, bob } = await twoRooms();
    const next = waitFor(bob, 'newMessage');
    await say(ann, '<b>bold?</b>');
    expect((await next).text).toBe('<b>bold?</b>');
  });

  it('refuses messages before joining, and sends them nowhere', async () => {
    const { ann } = await twoRooms();
    const seen = collect(ann, 'newMessage');
    const stranger = await connect<Client>(lesson().url);
    await expect(say(stranger, 'hi')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(
      stranger.timeout(1000).emitWithAck('createLocationMessage', { latitude: 1, longitude: 2 }),
    ).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await sync(ann);
    expect(seen).toEqual([]);
  });

  it('refuses a second join: a page changes room by reloading', async () => {
    const { ann, cy } = await twoRooms();
    const seen = collect(cy, 'newMessage');
    await expect(join(ann, 'Ann', 'Kitchen')).resolves.toEqual({
      ok: false,
      error: 'already in room "Lobby": go back to the join page to change rooms',
    });
    await say(ann, 'still in Lobby');
    await sync(cy);
    expect(seen).toEqual([]);
  });

  it('refuses bad joins with a reason, and then takes a good one', async () => {
    const client = await connect<Client>(lesson().url);
    const cases: Array<[unknown[], string]> = [
      [[{ name: '', room: 'Lobby' }], 'name must not be empty'],
      [[{ name: 'Ann', room: '   ' }], 'room must not be empty'],
      [[{ name: 'A'.repeat(31), room: 'Lobby' }], 'name must be at most 30 characters'],
      [[{ name: 'Ann', room: 'R'.repeat(31) }], 'room must be at most 30 characters'],
      [[{ name: ' admin ', room: 'Lobby' }], 'the name "Admin" is kept for the server'],
      [[{ name: 1, room: 'Lobby' }], 'name must be a string'],
      [[{ name: 'Ann' }], 'room must be a string'],
      [[{ name: 'Ann', room: 'Lobby', from: 'x' }], 'unexpected field "from"'],
      [['Ann'], 'expected an object like { name, room }'],
      [[null], 'expected an object like { name, room }'],
      [[['Ann', 'Lobby']], 'expected an object like { name, room }'],
      [[{ name: 'Ann', room: 'Lobby' }, 'extra'], 'expected 1 argument and an acknowledgement, got 2 arguments'],
      [[], 'expected 1 argument and an acknowledgement, got 0 arguments'],
    ];
    for (const [args, error] of cases) {
      await expect(emitRaw(client, 'join', args)).resolves.toEqual({ ok: false, error });
    }
    // Without an acknowledgement (or with a non-function one) there is no answer, and no join.
    await emitRaw(client, 'join', [{ name: 'Ann', room: 'Lobby' }], false);
    await emitRaw(client, 'join', [{ name: 'Ann', room: 'Lobby' }, 'not a function'], false);
    await expect(emitRaw(client, 'jion', [{ name: 'Ann', room: 'Lobby' }])).resolves.toEqual({
      ok: false,
      error: 'unknown event "jion"',
    });
    await expect(say(client, 'hi')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(join(client, 'Ann', 'Lobby')).resolves.toEqual({ ok: true, name: 'Ann', room: 'Lobby' });
    await expect(say(client, 'hi')).resolves.toEqual({ ok: true });
  });

  it('refuses names that look like Admin or hide characters, and tells nobody', async () => {
    const { ann } = await twoRooms();
    const seen = collect(ann, 'newMessage');
    const impostor = await connect<Client>(lesson().url, from('127.0.9.1'));
    const invisible = (code: string) => `name must not contain invisible or control characters (${code})`;
    const cases: Array<[string, string]> = [
      ['Admin\u200b', invisible('U+200B')],
      ['\u0410dmin', 'the name "\u0410dmin" looks like "Admin", which is kept for the server'], // Cyrillic А
      ['Adm\u0456n', 'the name "Adm\u0456n" looks like "Admin", which is kept for the server'], // Cyrillic і
      ['\uff21\uff44\uff4d\uff49\uff4e', 'the name "Admin" is kept for the server'], // full-width: Admin once NFKC
      ['\u200b', invisible('U+200B')],
      ['\u2800', invisible('U+2800')],
      ['\u3164', invisible('U+3164')],
      ['Ann\u202e', invisible('U+202E')], // would turn " has joined" around
    ];
    for (const [name, error] of cases) {
      await expect(join(impostor, name, 'Lobby')).resolves.toEqual({ ok: false, error });
    }
    await expect(join(impostor, 'Ann', 'Lobby\u200b')).resolves.toEqual({
      ok: false,
      error: 'room must not contain invisible or control characters (U+200B)',
    });
    await sync(ann);
    expect(seen).toEqual([]);
    // Admin's own notices still come, and the impostor may still join under a real name.
    const notice = waitFor(ann, 'newMessage');
    await expect(join(impostor, 'Adm1n', 'Lobby')).resolves.toEqual({ ok: true, name: 'Adm1n', room: 'Lobby' });
    expect(await notice).toMatchObject({ from: 'Admin', text: 'Adm1n has joined' });
  });

  it('takes names in any script, with accents, as typed (in NFKC)', async () => {
    const { bob } = await twoRooms();
    const names = ['Zoë', 'Søren', '李雷', 'Александр'];
    const clients = await Promise.all(names.map((_, i) => connect<Client>(lesson().url, from(`127.0.9.${i + 2}`))));
    const heard = collect(bob, 'newMessage');
    for (const [i, name] of names.entries()) {
      await expect(join(clients[i], name, 'Lobby')).resolves.toEqual({ ok: true, name, room: 'Lobby' });
    }
    const fullWidth = await connect<Client>(lesson().url, from('127.0.9.9'));
    await expect(join(fullWidth, '\uff25\uff56\uff45', '\uff2c\uff4f\uff42\uff42\uff59')).resolves.toEqual({
      ok: true,
      name: 'Eve',
      room: 'Lobby',
    });
    await sync(bob);
    expect(heard.map((message) => (message as { text: string }).text)).toEqual([...names, 'Eve'].map((name) => `${name} has joined`));
  });

  it('refuses bad messages from a member, and sends nothing', async () => {
    const { ann, bob } = await twoRooms();
    const seen = collect(bob, 'newMessage');
    const bad: Array<[string, unknown[]]> = [
      ['createMessage', [{ text: '   ' }]],
      ['createMessage', [{ text: 'x'.repeat(501) }]],
      ['createMessage', [{ text: 'hi', from: 'Bob' }]],
      ['createMessage', ['hi']],
      ['createMessage', [null]],
      ['createMessage', [{ text: 'hi' }, 'extra']],
      ['createMessage', [{ text: 'bye\x1b[2J' }]],
      ['createMessage', [{ text: '\u202eolleh' }]],
      ['createLocationMessage', [{ latitude: 91, longitude: 0 }]],
      ['createLocationMessage', [{ latitude: '1', longitude: '2' }]],
    ];
    for (const [event, args] of bad) {
      await expect(emitRaw(ann, event, args)).resolves.toMatchObject({ ok: false, error: expect.any(String) });
    }
    await emitRaw(ann, 'createMessage', [{ text: 'no ack' }], false);
    await sync(bob);
    expect(seen).toEqual([]);
    await expect(say(ann, 'x'.repeat(500))).resolves.toEqual({ ok: true });
  });

  it('forgets the room once its last member has gone', async () => {
    const client = await connect<Client>(lesson().url);
    await join(client, 'Ann', 'Attic');
    const rooms = lesson().io!.of('/').adapter.rooms;
    const [attic] = roomsOf(lesson(), client);
    expect(rooms.has(attic)).toBe(true);
    client.close();
    await waitUntil(() => !rooms.has(attic));
  });

  it('serves the join page, the chat page and their scripts', async () => {
    const base = lesson().url;
    expect(await (await fetch(`${base}/`)).text()).toContain('action="chat.html"');
    expect(await (await fetch(`${base}/chat.html`)).text()).toContain('<script type="module" src="app.js">');
    for (const script of ['app.js', 'join.js']) {
      const response = await fetch(`${base}/${script}`);
      expect(response.headers.get('content-type')).toContain('javascript');
    }
  });
});

describe('09 rooms, rate limit', () => {
  const lesson = useLesson(start, { rateLimit: { burst: 3, perSecond: 0.001 } });

  it('refuses a flood of messages from one socket, and only from that one', async () => {
    const client = await connect<Client>(lesson().url);
    await join(client, 'Ann', 'Lobby');
    const replies = await Promise.all(['one', 'two', 'three', 'four'].map((text) => say(client, text)));
    expect(replies).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: false, error: RATE_LIMITED }]);
    // Another socket has its own allowance.
    const other = await connect<Client>(lesson().url);
    await join(other, 'Bob', 'Lobby');
    await expect(say(other, 'hi')).resolves.toEqual({ ok: true });
  });
});

async function waitUntil(check: () => boolean, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('09 rooms, a full room', () => {
  const lesson = useLesson(start, { maxRoomSize: 2 });

  it('refuses a join into a full room, with the reason; another room is fine', async () => {
    const [ann, bob, cy] = await connectMany<Client>(lesson().url, 3);
    await join(ann, 'Ann', 'Lobby');
    await join(bob, 'Bob', 'Lobby');
    await expect(join(cy, 'Cy', 'Lobby')).resolves.toEqual({ ok: false, error: roomFull('Lobby', 2) });
    await expect(join(cy, 'Cy', 'Kitchen')).resolves.toMatchObject({ ok: true });
  });
});
