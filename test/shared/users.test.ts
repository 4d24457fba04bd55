import { expect } from 'expect';
import { keyOf, nameKeyOf, Users } from '../../shared/users';
import { MAX_ROOM_SIZE, roomFull, roomSizeFromEnv, UserListUpdates } from '../../shared/room-events';

describe('Users', () => {
  let users: Users;
  beforeEach(() => {
    users = new Users();
  });

  it('adds a user and returns them, trimmed, with the room key', () => {
    expect(users.add('a', '  Ann ', ' Lobby ')).toEqual({
      ok: true,
      value: { id: 'a', name: 'Ann', room: 'Lobby', roomKey: 'lobby' },
    });
    expect(users.size).toBe(1);
    expect(users.roomCount).toBe(1);
  });

  it('gets a user by id, and nothing for an unknown id', () => {
    users.add('a', 'Ann', 'Lobby');
    expect(users.get('a')).toMatchObject({ name: 'Ann', room: 'Lobby' });
    expect(users.get('nobody')).toBeUndefined();
  });

  it('lists the names in a room, in the order they joined', () => {
    users.add('a', 'Ann', 'Lobby');
    users.add('b', 'Bob', 'Kitchen');
    users.add('c', 'Cy', 'Lobby');
    expect(users.listNames('Lobby')).toEqual(['Ann', 'Cy']);
    expect(users.listNames('Kitchen')).toEqual(['Bob']);
    expect(users.listNames('Attic')).toEqual([]);
  });

  it('compares rooms trimmed and ignoring case, and keeps the first spelling', () => {
    users.add('a', 'Ann', 'Lobby');
    const bob = users.add('b', 'Bob', '  LOBBY ');
    expect(bob).toMatchObject({ ok: true, value: { room: 'Lobby', roomKey: 'lobby' } });
    expect(users.listNames('lobby')).toEqual(['Ann', 'Bob']);
    expect(users.roomCount).toBe(1);
    expect(keyOf(' LoBby ')).toBe('lobby');
  });

  it('refuses a name taken in the room, ignoring case, and allows it elsewhere', () => {
    users.add('a', 'Ann', 'Lobby');
    expect(users.add('b', ' ANN ', 'lobby')).toEqual({ ok: false, error: 'the name "Ann" is taken in room "Lobby"' });
    expect(users.get('b')).toBeUndefined();
    expect(users.listNames('Lobby')).toEqual(['Ann']);
    expect(users.add('b', 'ann', 'Kitchen')).toMatchObject({ ok: true });
  });

  it('refuses a name that looks like one in the room, and allows it elsewhere', () => {
    users.add('a', 'Ada', 'Lobby');
    for (const name of ['Ada\u200b', '\u0410da', '\uff21\uff44\uff41', 'ADA']) {
      expect(users.add('b', name, 'Lobby')).toMatchObject({ ok: false });
    }
    expect(users.add('b', '\u0410da', 'lobby')).toEqual({
      ok: false,
      error: 'the name "\u0410da" looks like "Ada", who is in room "Lobby"',
    });
    expect(users.add('b', 'ADA', 'lobby')).toEqual({ ok: false, error: 'the name "Ada" is taken in room "Lobby"' });
    users.add('z', 'Bob', 'Lobby');
    expect(users.add('b', '\u0412ob', 'Lobby')).toEqual({ ok: false, error: 'the name "\u0412ob" looks like "Bob", who is in room "Lobby"' }); // Cyrillic В
    users.remove('z');
    expect(users.listNames('Lobby')).toEqual(['Ada']);
    expect(users.add('b', '\u0410da', 'Kitchen')).toMatchObject({ ok: true, value: { name: '\u0410da' } });
    // Names that only look different stay apart, and each keeps its spelling.
    for (const [id, name] of [['c', 'Zoë'], ['d', 'Zoe'], ['e', 'Søren'], ['f', '李雷'], ['g', 'Александр'], ['h', 'Adam']]) {
      expect(users.add(id, name, 'Lobby')).toMatchObject({ ok: true, value: { name } });
    }
    expect(users.listNames('Lobby')).toEqual(['Ada', 'Zoë', 'Zoe', 'Søren', '李雷', 'Александр', 'Adam']);
    // Once Ada has gone, the name and its lookalikes are free, and the key goes with her.
    users.remove('a');
    expect(users.add('i', '\u0410da', 'Lobby')).toMatchObject({ ok: true });
    expect(nameKeyOf(' Ada ')).toBe(nameKeyOf('\u0410DA'));
  });

  it('refuses an empty name or room', () => {
    expect(users.add('a', '  ', 'Lobby')).toEqual({ ok: false, error: 'name must not be empty' });
    expect(users.add('a', 'Ann', '')).toEqual({ ok: false, error: 'room must not be empty' });
    expect(users.size).toBe(0);
  });

  it('removes a user, returns who it was, and drops the room once empty', () => {
    users.add('a', 'Ann', 'Lobby');
    users.add('b', 'Bob', 'Lobby');
    expect(users.remove('a')).toMatchObject({ id: 'a', name: 'Ann', room: 'Lobby' });
    expect(users.get('a')).toBeUndefined();
    expect(users.listNames('Lobby')).toEqual(['Bob']);
    // Ann's name is free again.
    expect(users.add('c', 'ann', 'Lobby')).toMatchObject({ ok: true });
    users.remove('b');
    users.remove('c');
    expect(users.roomCount).toBe(0);
    // An empty room is forgotten: the next joiner's spelling is the room's name.
    expect(users.add('d', 'Dee', 'LOBBY')).toMatchObject({ value: { room: 'LOBBY' } });
  });

  it('returns undefined when removing an unknown id, and changes nothing', () => {
    users.add('a', 'Ann', 'Lobby');
    expect(users.remove('nobody')).toBeUndefined();
    expect(users.remove('a')).toBeDefined();
    expect(users.remove('a')).toBeUndefined();
    expect(users.size).toBe(0);
  });

  it('moves a user who joins again, leaving the old room', () => {
    users.add('a', 'Ann', 'Lobby');
    users.add('b', 'Bob', 'Lobby');
    expect(users.add('a', 'Ann', 'Kitchen')).toMatchObject({ ok: true, value: { room: 'Kitchen' } });
    expect(users.listNames('Lobby')).toEqual(['Bob']);
    expect(users.listNames('Kitchen')).toEqual(['Ann']);
    expect(users.size).toBe(2);
    // Joining the same room under another spelling of one's own name is allowed.
    expect(users.add('a', 'ANN', 'kitchen')).toMatchObject({ ok: true, value: { name: 'ANN' } });
    expect(users.listNames('Kitchen')).toEqual(['ANN']);
  });

  it('leaves a user where they were when the move is refused', () => {
    users.add('a', 'Ann', 'Lobby');
    users.add('b', 'Ann', 'Kitchen');
    expect(users.add('a', 'Ann', 'Kitchen')).toMatchObject({ ok: false });
    expect(users.get('a')).toMatchObject({ room: 'Lobby' });
    expect(users.listNames('Lobby')).toEqual(['Ann']);
  });

  it('hands out users that cannot be changed from outside', () => {
    const added = users.add('a', 'Ann', 'Lobby');
    if (!added.ok) throw new Error(added.error);
    expect(() => {
      (added.value as { name: string }).name = 'Mallory';
    }).toThrow();
  });

  it('keeps 10,000 users in 100 rooms straight, then empties', () => {
    const count = 10_000;
    let added = 0;
    for (let i = 0; i < count; i++) if (users.add(`id${i}`, `user${i}`, `Room${i % 100}`).ok) added++;
    expect(added).toBe(count);
    expect(users.size).toBe(count);
    expect(users.roomCount).toBe(100);
    expect(users.listNames('room7')).toHaveLength(100);
    expect(users.listNames('ROOM7')[0]).toBe('user7');
    expect(users.get('id9999')).toMatchObject({ name: 'user9999', room: 'Room99' });
    // Remove the even ones; the odd ones stay, in order.
    let removed = 0;
    for (let i = 0; i < count; i += 2) if (users.remove(`id${i}`)?.name === `user${i}`) removed++;
    expect(removed).toBe(count / 2);
    expect(users.size).toBe(count / 2);
    expect(users.listNames('Room1').slice(0, 3)).toEqual(['user1', 'user101', 'user201']);
    expect(users.listNames('Room0')).toEqual([]);
    expect(users.roomCount).toBe(50);
    for (let i = 1; i < count; i += 2) users.remove(`id${i}`);
    expect(users.size).toBe(0);
    expect(users.roomCount).toBe(0);
  });
});

describe('Users: a room has a maximum size', () => {
  it('refuses a newcomer to a full room, but not a member who renames, nor another room', () => {
    const users = new Users(2);
    users.add('a', 'Ann', 'Lobby');
    users.add('b', 'Bob', 'Lobby');
    expect(users.add('c', 'Cy', 'lobby')).toEqual({ ok: false, error: roomFull('Lobby', 2) });
    expect(roomFull('Lobby', 2)).toBe('room "Lobby" is full (2 people): try another room');
    expect(users.add('b', 'Bobby', 'Lobby')).toMatchObject({ ok: true });
    expect(users.add('c', 'Cy', 'Kitchen')).toMatchObject({ ok: true });
    users.remove('a');
    expect(users.add('c', 'Cy', 'Lobby')).toMatchObject({ ok: true }); // a place came free: Cy moves in
    expect(users.listNames('Lobby')).toEqual(['Bobby', 'Cy']);
  });

  it('reads MAX_ROOM_SIZE, and refuses nonsense', () => {
    expect(roomSizeFromEnv({})).toBe(MAX_ROOM_SIZE);
    expect(roomSizeFromEnv({ MAX_ROOM_SIZE: '40' })).toBe(40);
    expect(() => roomSizeFromEnv({ MAX_ROOM_SIZE: '-1' })).toThrow('MAX_ROOM_SIZE must be a whole number above 0, not "-1"');
  });
});

describe('UserListUpdates', () => {
  it('sends a room its list at once, then one list for the updates of the next 100 ms', async () => {
    const sent: string[] = [];
    let members = 1;
    const updates = new UserListUpdates((room) => sent.push(`${room}:${members}`), 100);
    updates.update('lobby');
    expect(sent).toEqual(['lobby:1']); // at once
    for (; members < 50; members++) updates.update('lobby'); // 49 more joins within the wait
    updates.update('kitchen'); // another room is not held up
    expect(sent).toEqual(['lobby:1', 'kitchen:50']);
    await new Promise((resolve) => setTimeout(resolve, 130));
    expect(sent).toEqual(['lobby:1', 'kitchen:50', 'lobby:50']); // one list for the 49
    members = 51;
    updates.update('lobby'); // after a quiet wait: at once again
    updates.update('lobby'); // held
    expect(sent).toEqual(['lobby:1', 'kitchen:50', 'lobby:50', 'lobby:51']);
    updates.close(); // the server closes: what waits is dropped, and no timer is left
    await new Promise((resolve) => setTimeout(resolve, 130));
    expect(sent).toHaveLength(4);
  });

  it('takes an update asked for while its own list is being sent (a send that disconnects someone)', async () => {
    const sent: string[] = [];
    const updates = new UserListUpdates((room) => {
      sent.push(room);
      if (sent.length === 1) updates.update(room); // someone cut off by this very send leaves the room
    }, 20);
    updates.update('lobby');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent).toEqual(['lobby', 'lobby']); // once at once, once for the leaving, and no timer left over
    updates.close();
  });
});
