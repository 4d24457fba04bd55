// The chat's bookkeeping for server.ts: lesson 10's room lists and notices,
// by account (people.ts), the instructor's live view of every room, and who
// may send a message (lesson 12's delivery stores it: shared/delivery.ts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Server } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import type { Sender } from '../../shared/delivery';
import { generateMessage } from '../../shared/message-generator';
import { MAX_ROOM_LENGTH, UserListUpdates } from '../../shared/room-events';
import { checkFields, checkName, type Checked } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import { minutesFrom, type Left, type People } from './people';

export const SIGN_IN_FIRST = 'sign in first: open /signin';
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a session or an account). */
export const channel = (roomKey: string) => `room:${roomKey}`;

/** `join`'s payload: `{ room }` and nothing else (the name is the account's: a `name` is refused). */
export function checkRoom(value: unknown): Checked<{ room: string }> {
  const object = checkFields(value, ['room']);
  if (!object.ok) return object;
  const room = checkName(object.value.room, 'room', MAX_ROOM_LENGTH);
  return room.ok ? { ok: true, value: { room: room.value } } : room;
}

/** The most messages sent at once to a page that rejoins (lesson 12's catch-up.ts). */
export const MAX_CATCH_UP = 1_000;

/**
 * Who sends from socket `socketId`: the account's name (never the client's
 * word) and the room it joined; or why it may not, before anything is stored:
 * it has joined no room, or the instructor muted it there.
 */
export function senderOf(people: People, socketId: string, accountId: number): Checked<Sender> {
  const place = people.get(socketId);
  if (!place) return { ok: false, error: NOT_JOINED };
  const muted = people.mutedUntil(place.roomKey, accountId);
  if (muted) return { ok: false, error: `you are muted in "${place.room}" for ${minutesFrom(Date.now(), muted)}` };
  return { ok: true, value: { name: place.account.name, roomKey: place.roomKey } };
}

/** The lesson's SQLite database (accounts, sessions; the messages' store opens it too), created on first start. */
export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  return db;
}

/** What `npm start -- 14` prints first when no instructor is set. */
export function printInstructor(): void {
  console.log(
    [
      'No instructor account: INSTRUCTOR_NAME and INSTRUCTOR_PASSWORD are not set.',
      'Everyone who signs up is a student. To be the instructor (mute, remove, close rooms: /instructor), start with:',
      "  INSTRUCTOR_NAME=Teacher INSTRUCTOR_PASSWORD='a long passphrase' npm start -- 14",
    ].join('\n'),
  );
}

/** Tells rooms who came and went, and the instructors what every room looks like. */
export class RoomNews {
  private readonly lists: UserListUpdates;

  constructor(
    private readonly io: Server<ClientToServerEvents, ServerToClientEvents>,
    private readonly people: People,
  ) {
    this.lists = new UserListUpdates((key) => {
      if (key === '*') io.to('instructors').emit('rooms', people.view());
      else io.to(channel(key)).emit('updateUserList', people.listNames(key));
    });
  }

  /** A room's people changed: its list, and the instructor's view. */
  changed(roomKey: string): void {
    this.lists.update(roomKey);
    this.lists.update('*');
  }

  /** Tells a room something, as Admin (and the instructors' view, which shows who is muted). */
  announce(roomKey: string, text: string): void {
    this.io.to(channel(roomKey)).emit('newMessage', generateMessage(ADMIN, text));
    this.lists.update('*');
  }

  /**
   * Takes a socket out of its chat room. With `notice`, the room hears that
   * the person left, if that was their last tab there.
   */
  leave(socketId: string, notice: boolean): void {
    const gone = this.people.leave(socketId);
    if (gone) this.left(socketId, gone, notice);
  }

  /** After `people` has let a socket go (a leave, or a switch to another room). */
  left(socketId: string, { place, left }: Left, notice = true): void {
    this.io.sockets.sockets.get(socketId)?.leave(channel(place.roomKey)); // gone already, if it disconnected
    if (notice && left) this.announce(place.roomKey, `${place.account.name} has left`);
    this.changed(place.roomKey);
  }

  close(): void {
    this.lists.close();
  }
}
