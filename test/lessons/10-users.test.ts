import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { channel, JOINS_LIMITED, NOT_JOINED, start } from '../../lessons/10-users/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/10-users/events';
import { RATE_LIMITED, SOCKETS_PER_ADDRESS } from '../../shared/rate-limit';
import { roomFull } from '../../shared/room-events';
import { collect, connect, connectMany, emitRaw, pause, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const join = (client: Client, name: string, room: string) => client.timeout(1000).emitWithAck('join', { name, room });
const say = (client: Client, text: string) => client.timeout(1000).emitWithAck('createMessage', { text });
/** A round trip: whatever the server sent this client before it has arrived once this resolves. */
const sync = (client: Client) => emitRaw(client, 'sync', []);
/**
 * Resolves once `client` is told that `names` are in its room: the user list
 * `names`, or `userJoined` of the last one (exercise 5 sends changes, not
 * lists). After 2 s it resolves anyway: the test that follows will say what is wrong.
 */
const toldOf = (client: Client, names: string[]) =>
  new Promise<void>((resolve) => {
    const listener = (event: string, ...args: unknown[]) => {
      const list = event === 'updateUserList' && Array.isArray(args[0]) && args[0].join('|') === names.join('|');
      if (list || (event === 'userJoined' && args[0] === names.at(-1))) done();
    };
    const timer = setTimeout(() => done(), 2000);
    const done = () => {
      clearTimeout(timer);
      client.offAny(listener);
      resolve();
    };
    client.onAny(listener);
  });
/** Options to connect from another machine: each address has its own limits (joins, connections). */
const from = (address: string) => ({ localAddress: address }) as object;
/** Every text message a client sees from now on, as "from: text". */
const texts = (client: Client) => {
  const seen: string[] = [];
  client.on('newMessage', ({ from, text }) => seen.push(`${from}: ${text}`));
  return seen;
};

describe('10 users', () => {
  const lesson = useLesson(start, { rateLimit: { burst: 50, perSecond: 50 }, joinRateLimit: { burst: 100, perSecond: 100 } });

  /** Ann and Bob in Lobby, Cy in Kitchen. */
  async function twoRooms() {
    const [ann, bob, cy] = await connectMany<Client>(lesson().url, 3);
    // A room gets a list at once, then at most one more 100 ms later. Once Ann has the
    // list with Bob, Lobby gets no other; then the 100 ms of each room run out, so the
    // test's next change is sent at once, and a round trip brings every client its last.
    const lobbySettled = toldOf(ann, ['Ann', 'Bob']);
    await join(ann, 'Ann', 'Lobby');
    await join(bob, 'Bob', 'Lobby');
    await join(cy, 'Cy', 'Kitchen');
    await lobbySettled;
    await pause(250);
    await Promise.all([ann, bob, cy].map(sync));
    return { ann, bob, cy };
  }

  it('sends the room its user list when someone joins, and only that room', async () => {
    const { ann, bob, cy } = await twoRooms();
    const lists = [ann, bob, cy].map((client) => collect(client, 'updateUserList'));
    const dee = await connect<Client>(lesson().url);
    const deeList = waitFor(dee, 'updateUserList');
    await join(dee, 'Dee', 'Lobby');
    expect(await deeList).toEqual(['Ann', 'Bob', 'Dee']);
    await Promise.all([ann, bob, cy].map(sync));
    expect(lists).toEqual([[['Ann', 'Bob', 'Dee']], [['Ann', 'Bob', 'Dee']], []]);
  });

  it('welcomes the newcomer and tells the room, not the other room', async () => {
    const { ann, cy } = await twoRooms();
    const [annSaw, cySaw] = [ann, cy].map(texts);
    const dee = await connect<Client>(lesson().url);
    const deeSaw = texts(dee);
    await join(dee, 'Dee', 'Lobby');
    await Promise.all([ann, cy, dee].map(sync));
    expect(deeSaw).toEqual(['Admin: Welcome to Lobby, Dee!']);
    expect(annSaw).toEqual(['Admin: Dee has joined']);
    expect(cySaw).toEqual([]);
  });

  it('treats rooms as the same ignoring case and spaces, and keeps the first spelling', async () => {
    const { ann } = await twoRooms();
    const dee = await connect<Client>(lesson().url);
    await expect(join(dee, 'Dee', '  LOBBY ')).resolves.toEqual({ ok: true, name: 'Dee', room: 'Lobby' });
    await sync(ann); // past "Dee has joined"
    const next = waitFor(ann, 'newMessage');
    await say(dee, 'same room?');
    expect(await next).toMatchObject({ from: 'Dee', text: 'same room?' });
  });

  it('refuses a name taken in the room, ignoring case, and tells nobody', async () => {
    const { ann, bob, cy } = await twoRooms();
    const seen = [ann, bob].map(texts);
    const lists = [ann, bob].map((client) => collect(client, 'updateUserList'));
    const impostor = await connect<Client>(lesson().url);
    await expect(join(impostor, ' aNN ', 'lobby')).resolves.toEqual({
      ok: false,
      error: 'the name "Ann" is taken in room "Lobby"',
    });
    await expect(say(impostor, 'I am Ann')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    // Another room has no Ann yet; and Cy may not take Bob's name by switching.
    await expect(join(impostor, 'Ann', 'Kitchen')).resolves.toMatchObject({ ok: true });
    await expect(join(cy, 'BOB', 'Lobby')).resolves.toMatchObject({ ok: false });
    await Promise.all([ann, bob].map(sync));
    expect(seen).toEqual([[], []]);
    expect(lists).toEqual([[], []]);
  });

  it('refuses names that look like Admin or like someone in the room, and tells nobody', async () => {
    const { ann, bob, cy } = await twoRooms();
    const ada = await connect<Client>(lesson().url, from('127.0.10.1'));
    const adaList = waitFor(ada, 'updateUserList');
    await join(ada, 'Ada', 'Lobby');
    await adaList; // the room's list with Ada in it: it may be held back for up to 100 ms
    await Promise.all([ann, bob].map(sync)); // past "Ada has joined" and that list
    const seen = [ann, ada].map(texts);
    const lists = [ann, ada].map((client) => collect(client, 'updateUserList'));
    const impostor = await connect<Client>(lesson().url, from('127.0.10.2'));
    const invisible = (code: string) => `name must not contain invisible or control characters (${code})`;
    const cases: Array<[string, string]> = [
      ['Ada\u200b', invisible('U+200B')],
      ['\u0410da', 'the name "\u0410da" looks like "Ada", who is in room "Lobby"'], // Cyrillic А
      ['\uff21\uff44\uff41', 'the name "Ada" is taken in room "Lobby"'], // full-width: Ada once NFKC
      ['B0b', 'the name "B0b" looks like "Bob", who is in room "Lobby"'],
      ['\u0412ob', 'the name "\u0412ob" looks like "Bob", who is in room "Lobby"'], // Cyrillic В
      ['Admin\u200b', invisible('U+200B')],
      ['\u0410dmin', 'the name "\u0410dmin" looks like "Admin", which is kept for the server'],
      ['Adm\u0456n', 'the name "Adm\u0456n" looks like "Admin", which is kept for the server'],
      ['\uff21\uff44\uff4d\uff49\uff4e', 'the name "Admin" is kept for the server'],
      ['\u200b', invisible('U+200B')],
      ['\u2800', invisible('U+2800')],
      ['\u3164', invisible('U+3164')],
      ['\u202enimdA', invisible('U+202E')],
    ];
    for (const [name, error] of cases) {
      await expect(join(impostor, name, 'lobby')).resolves.toEqual({ ok: false, error });
    }
    // Ada, Bob and Admin are unaffected: nobody heard a thing, and Ada still speaks as Ada.
    await say(ada, 'still me');
    await Promise.all([ann, ada].map(sync));
    expect(seen).toEqual([['Ada: still me'], ['Ada: still me']]);
    expect(lists).toEqual([[], []]);
    // The lookalike is fine in a room with no Ada, and Admin announces it there.
    const notice = waitFor(cy, 'newMessage');
    await expect(join(impostor, '\u0410da', 'Kitchen')).resolves.toEqual({ ok: true, name: '\u0410da', room: 'Kitchen' });
    expect(await notice).toMatchObject({ from: 'Admin', text: '\u0410da has joined' });
  });

  it('takes names in any script that look like no one in the room, as typed (in NFKC)', async () => {
    await twoRooms();
    const names = ['Zoë', 'Søren', '李雷', 'Александр', 'Zoe', 'Ann Lee'];
    const clients = await Promise.all([...names, 'Eve'].map((_, i) => connect<Client>(lesson().url, from(`127.0.10.${i + 3}`))));
    for (const [i, name] of names.entries()) {
      await expect(join(clients[i], name, 'Lobby')).resolves.toEqual({ ok: true, name, room: 'Lobby' });
    }
    const eve = clients[names.length];
    await expect(join(eve, 'Ann\u00a0 Lee', 'Lobby')).resolves.toEqual({
      ok: false,
      error: 'the name "Ann Lee" is taken in room "Lobby"', // a page shows the two spaces as one
    });
    const list = waitFor(eve, 'updateUserList'); // a newcomer gets the whole list
    await expect(join(eve, '\uff25\uff56\uff45', '\uff2c\uff4f\uff42\uff42\uff59')).resolves.toEqual({
      ok: true,
      name: 'Eve',
      room: 'Lobby',
    });
    expect(await list).toEqual(['Ann', 'Bob', ...names, 'Eve']);
  });

  it('says who left and sends the new list when someone disconnects', async () => {
    const { ann, bob, cy } = await twoRooms();
    const list = waitFor(ann, 'updateUserList');
    const seen = texts(ann);
    const cySaw = collect(cy, 'updateUserList');
    bob.close();
    expect(await list).toEqual(['Ann']);
    expect(seen).toEqual(['Admin: Bob has left']);
    // Bob's name is free again.
    const newBob = await connect<Client>(lesson().url);
    await expect(join(newBob, 'bob', 'Lobby')).resolves.toMatchObject({ ok: true });
    await sync(cy);
    expect(cySaw).toEqual([]);
  });

  it('moves a user who joins another room: both rooms hear and get their lists', async () => {
    const { ann, bob, cy } = await twoRooms();
    const [annSaw, bobSaw, cySaw] = [ann, bob, cy].map(texts);
    const [annLists, bobLists, cyLists] = [ann, bob, cy].map((client) => collect(client, 'updateUserList'));

    await expect(join(bob, 'Bob', 'kitchen')).resolves.toEqual({ ok: true, name: 'Bob', room: 'Kitchen' });
    await Promise.all([ann, bob, cy].map(sync));
    expect(annSaw).toEqual(['Admin: Bob has left']);
    expect(annLists).toEqual([['Ann']]);
    expect(bobSaw).toEqual(['Admin: Welcome to Kitchen, Bob!']);
    expect(bobLists).toEqual([['Cy', 'Bob']]);
    expect(cySaw).toEqual(['Admin: Bob has joined']);
    expect(cyLists).toEqual([['Cy', 'Bob']]);

    // Bob's messages now reach Kitchen only.
    await say(bob, 'hi Kitchen');
    await Promise.all([ann, cy].map(sync));
    expect(annSaw).toEqual(['Admin: Bob has left']);
    expect(cySaw).toEqual(['Admin: Bob has joined', 'Bob: hi Kitchen']);
    const rooms = lesson().io!.of('/').adapter.rooms;
    expect(rooms.get(channel('lobby'))?.has(bob.id!)).toBe(false);
    expect(rooms.get(channel('kitchen'))?.has(bob.id!)).toBe(true);
  });

  it('leaves a user where they were when a move is refused', async () => {
    const { ann, bob, cy } = await twoRooms();
    await join(cy, 'Ann', 'Attic'); // Cy moves to Attic as Ann
    const seen = texts(bob);
    await expect(join(ann, 'ann', 'attic')).resolves.toMatchObject({ ok: false });
    await say(ann, 'still here');
    await sync(bob);
    expect(seen).toEqual(['Ann: still here']);
  });

  it('answers a join to the room one is already in, and tells nobody', async () => {
    const { ann, bob } = await twoRooms();
    const seen = texts(bob);
    const lists = collect(bob, 'updateUserList');
    await expect(join(ann, 'Ann', 'LOBBY')).resolves.toEqual({ ok: true, name: 'Ann', room: 'Lobby' });
    await sync(bob);
    expect(seen).toEqual([]);
    expect(lists).toEqual([]);
  });

  it('sends messages and locations to the room only, from the name the server stored', async () => {
    const { ann, bob, cy } = await twoRooms();
    const seen = [ann, bob, cy].map(texts);
    const places = [ann, bob, cy].map((client) => collect(client, 'newLocationMessage'));
    await say(ann, 'hello Lobby');
    await expect(
      emitRaw(ann, 'createMessage', [{ text: 'hi', from: 'Cy' }]),
    ).resolves.toEqual({ ok: false, error: 'unexpected field "from"' });
    await bob.timeout(1000).emitWithAck('createLocationMessage', { latitude: 48.85, longitude: 2.35 });
    await Promise.all([ann, bob, cy].map(sync));
    expect(seen).toEqual([['Ann: hello Lobby'], ['Ann: hello Lobby'], []]);
    expect(places.map((list) => list.length)).toEqual([1, 1, 0]);
    expect(places[0][0]).toMatchObject({ from: 'Bob', url: expect.stringContaining('48.85,2.35') });
  });

  it('refuses messages before joining', async () => {
    const { ann } = await twoRooms();
    const seen = texts(ann);
    const stranger = await connect<Client>(lesson().url);
    await expect(say(stranger, 'hi')).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await expect(
      stranger.timeout(1000).emitWithAck('createLocationMessage', { latitude: 1, longitude: 2 }),
    ).resolves.toEqual({ ok: false, error: NOT_JOINED });
    await sync(ann);
    expect(seen).toEqual([]);
  });

  it('refuses bad joins, even from a member, without moving anyone; then takes a good one', async () => {
    const { ann, bob } = await twoRooms();
    const seen = texts(bob);
    const lists = collect(bob, 'updateUserList');
    const bad: Array<[unknown[], string]> = [
      [[{ name: 'Ann', room: 'Kitchen', extra: 1 }], 'unexpected field "extra"'],
      [[{ name: 1, room: 'Kitchen' }], 'name must be a string'],
      [[{ name: 'Ann', room: null }], 'room must be a string'],
      [[{ name: '  ', room: 'Kitchen' }], 'name must not be empty'],
      [[{ name: 'Ann', room: 'x'.repeat(31) }], 'room must be at most 30 characters'],
      [[{ name: 'ADMIN', room: 'Kitchen' }], 'the name "Admin" is kept for the server'],
      [[null], 'expected an object like { name, room }'],
      [['Kitchen'], 'expected an object like { name, room }'],
      [[{ name: 'Ann', room: 'Kitchen' }, 'extra'], 'expected 1 argument and an acknowledgement, got 2 arguments'],
    ];
    for (const [args, error] of bad) {
      await expect(emitRaw(ann, 'join', args)).resolves.toEqual({ ok: false, error });
    }
    await emitRaw(ann, 'join', [{ name: 'Ann', room: 'Kitchen' }], false); // no ack: dropped
    await emitRaw(ann, 'join', [{ name: 'Ann', room: 'Kitchen' }, 42], false); // not a function: dropped
    await expect(emitRaw(ann, 'leave', [])).resolves.toEqual({ ok: false, error: 'unknown event "leave"' });
    await say(ann, 'still in Lobby');
    await sync(bob);
    expect(seen).toEqual(['Ann: still in Lobby']);
    expect(lists).toEqual([]);
    await expect(join(ann, 'Ann', 'Kitchen')).resolves.toEqual({ ok: true, name: 'Ann', room: 'Kitchen' });
  });

  it('forgets everyone once they have gone', async () => {
    const clients = await connectMany<Client>(lesson().url, 4);
    await Promise.all(clients.map((client, i) => join(client, `User ${i}`, i % 2 ? 'Odd' : 'Even')));
    const rooms = lesson().io!.of('/').adapter.rooms;
    expect(rooms.get(channel('odd'))?.size).toBe(2);
    for (const client of clients) client.close();
    await waitUntil(() => !rooms.has(channel('odd')) && !rooms.has(channel('even')));
    // The names are free again.
    const again = await connect<Client>(lesson().url);
    await expect(join(again, 'User 1', 'Odd')).resolves.toMatchObject({ ok: true });
  });

  it('serves the join page, the chat page and their scripts', async () => {
    const base = lesson().url;
    expect(await (await fetch(`${base}/`)).text()).toContain('action="chat.html"');
    expect(await (await fetch(`${base}/chat.html`)).text()).toContain('id="users"');
    for (const script of ['app.js', 'join.js']) {
      expect((await fetch(`${base}/${script}`)).headers.get('content-type')).toContain('javascript');
    }
  });
});

describe('10 users, rate limits', () => {
  const lesson = useLesson(start, {
    rateLimit: { burst: 3, perSecond: 0.001 },
    joinRateLimit: { burst: 2, perSecond: 0.001 },
  });

  it('limits room switches and messages per socket, each on its own', async () => {
    const [ann, bob] = await connectMany<Client>(lesson().url, 2);
    await expect(join(ann, 'Ann', 'One')).resolves.toMatchObject({ ok: true });
    await expect(join(ann, 'Ann', 'Two')).resolves.toMatchObject({ ok: true });
    await expect(join(ann, 'Ann', 'Three')).resolves.toEqual({ ok: false, error: JOINS_LIMITED });
    expect(JOINS_LIMITED).toBe('too many joins: wait a moment and try again');
    // Refused requests cost nothing: a bad join is answered before the limit.
    await expect(join(bob, '', 'Two')).resolves.toMatchObject({ ok: false });
    await expect(join(bob, 'Bob', 'Two')).resolves.toMatchObject({ ok: true });
    // Ann's switches did not use up her messages.
    const replies = await Promise.all(['a', 'b', 'c', 'd'].map((text) => say(ann, text)));
    expect(replies).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: false, error: RATE_LIMITED }]);
  });
});

async function waitUntil(check: () => boolean, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('10 users, one client with many sockets', () => {
  const lesson = useLesson(start, { maxRoomSize: 3, joinRateLimit: { burst: 2, perSecond: 0.001 } });

  it('shares the join limit between the sockets of one address, across reconnects', async () => {
    const from2 = { localAddress: '127.0.0.2' } as object;
    const replies = [];
    for (let i = 0; i < 2 * SOCKETS_PER_ADDRESS + 1; i++) {
      const socket = await connect<Client>(lesson().url, from2); // a new socket each time: a fresh per-socket bucket
      replies.push(await join(socket, `Bot${i}`, `Room${i}`));
      socket.close();
    }
    // Each socket may join twice; the address, SOCKETS_PER_ADDRESS sockets' worth in all.
    expect(replies.filter((reply) => reply.ok)).toHaveLength(2 * SOCKETS_PER_ADDRESS);
    expect(replies.at(-1)).toEqual({ ok: false, error: JOINS_LIMITED });
    const other = await connect<Client>(lesson().url, { localAddress: '127.0.0.3' } as object);
    await expect(join(other, 'Ann', 'Lobby')).resolves.toMatchObject({ ok: true }); // another machine joins
  });

  it('refuses a join into a full room, with the reason, and lets the room fill again', async () => {
    const clients = await connectMany<Client>(lesson().url, 4);
    for (const [i, client] of clients.slice(0, 3).entries()) await join(client, `P${i}`, 'Full');
    await expect(join(clients[3], 'P3', 'full')).resolves.toEqual({ ok: false, error: roomFull('Full', 3) });
    clients[0].close();
    await waitFor(clients[1], 'newMessage', 2000, (message) => message.text === 'P0 has left');
    await expect(join(clients[3], 'P3', 'full')).resolves.toMatchObject({ ok: true });
  });
});

describe('10 users, a join storm', () => {
  const lesson = useLesson(start, { joinRateLimit: { burst: 100, perSecond: 100 } });

  it('sends a member fewer lists than there were joins, and the last one is complete', async () => {
    const clients = await connectMany<Client>(lesson().url, 15);
    const lists = collect(clients[0], 'updateUserList') as string[][];
    for (const [i, client] of clients.entries()) await join(client, `P${i}`, 'Storm'); // one after another
    await pause(150);
    expect(lists.length).toBeLessThan(15);
    expect(lists.at(-1)).toEqual(clients.map((_, i) => `P${i}`));
  });
});
