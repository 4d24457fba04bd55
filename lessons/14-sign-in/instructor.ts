// The instructor's events: mute, unmute, remove, closeRoom. The server
// refuses them to a student before they get here (server.ts, `socket.use`).
// Each one acts on a room by name, without joining it, is told to the room
// as an Admin notice, and reaches every tab of the person concerned: they
// all share the Socket.IO room `account:ID`.
import type { Server, Socket } from 'socket.io';
import { checked } from '../../shared/handler';
import type { Limit } from '../../shared/rate-limit';
import { keyOf } from '../../shared/users';
import { checkFields, checkName, type Checked } from '../../shared/validation';
import type { Account, Accounts } from './accounts';
import type { RoomNews } from './chat';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import { minutesFrom, type People } from './people';

export const INSTRUCTOR_EVENTS = ['mute', 'unmute', 'remove', 'closeRoom'];
export const FOR_INSTRUCTOR = 'only the instructor may do that';
export const DEFAULT_MINUTES = 10;

interface Target {
  room: string;
  roomKey: string;
  account: Account;
  minutes: number;
}

export interface InstructorDeps {
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  people: People;
  accounts: Accounts;
  /** Takes sockets out of rooms, tells rooms (chat.ts). */
  news: RoomNews;
  now?: () => number;
}

export function instructorEvents(
  socket: Socket<ClientToServerEvents, ServerToClientEvents>,
  limit: Limit,
  { io, people, accounts, news, now = Date.now }: InstructorDeps,
): void {
  const checkTarget = (value: unknown) => checkPerson(value, accounts, people);

  socket.on('mute', checked(checkTarget, limit, ({ room, roomKey, account, minutes }, ack) => {
    const until = now() + minutes * 60_000;
    people.mute(roomKey, account.id, until);
    io.to(`account:${account.id}`).emit('muted', { room, until });
    news.announce(roomKey, `${account.name} is muted for ${minutesFrom(now(), until)}`);
    ack({ ok: true });
  }));

  socket.on('unmute', checked(checkTarget, limit, ({ roomKey, account }, ack) => {
    people.unmute(roomKey, account.id);
    news.announce(roomKey, `${account.name} may speak again`);
    ack({ ok: true });
  }));

  socket.on('remove', checked(checkTarget, limit, ({ room, roomKey, account, minutes }, ack) => {
    people.remove(roomKey, account.id, now() + minutes * 60_000);
    for (const id of people.socketsOf(roomKey, account.id)) news.leave(id, false);
    io.to(`account:${account.id}`).emit('removed', { room });
    news.announce(roomKey, `${account.name} was removed for ${minutes === 1 ? '1 minute' : `${minutes} minutes`}`);
    ack({ ok: true });
  }));

  socket.on('closeRoom', checked(checkRoom, limit, ({ room }, ack) => {
    const roomKey = keyOf(room);
    const name = people.roomName(room) ?? room;
    news.announce(roomKey, `The instructor closed ${name}`);
    io.to(`room:${roomKey}`).emit('roomClosed', { room: name });
    for (const id of people.socketsIn(roomKey)) news.leave(id, false);
    ack({ ok: true });
  }));
}

function checkRoom(value: unknown): Checked<{ room: string }> {
  const object = checkFields(value, ['room']);
  if (!object.ok) return object;
  const room = checkName(object.value.room, 'room', 30);
  return room.ok ? { ok: true, value: { room: room.value } } : room;
}

/** `{ room, name, minutes? }`: an account by that name, and minutes a whole number from 1 to 1440. */
function checkPerson(value: unknown, accounts: Accounts, people: People): Checked<Target> {
  const object = checkFields(value, ['room', 'name', 'minutes']);
  if (!object.ok) return object;
  const room = checkName(object.value.room, 'room', 30);
  if (!room.ok) return room;
  const name = checkName(object.value.name, 'name', 30);
  if (!name.ok) return name;
  const minutes = object.value.minutes === undefined ? DEFAULT_MINUTES : object.value.minutes;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    return { ok: false, error: 'minutes must be a whole number from 1 to 1440' };
  }
  const account = accounts.named(name.value);
  if (!account) return { ok: false, error: `nobody is called "${name.value}"` };
  return { ok: true, value: { room: people.roomName(room.value) ?? room.value, roomKey: keyOf(room.value), account, minutes } };
}
