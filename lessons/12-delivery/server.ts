// Lesson 12: delivery.
// Lesson 10's chat, where no message is lost and none comes twice:
// - connection state recovery: a page whose connection drops for less than a
//   minute gets back its rooms and every message it missed, from Socket.IO;
// - every message is stored in SQLite (store.ts) before it is acknowledged,
//   and carries its row id;
// - a page that was not recovered (the server restarted, or it was away too
//   long) rejoins with the last id it saw, its `serverOffset`, and the server
//   sends it the rest of the room's messages from the store (and says so, if
//   the store no longer has them all);
// - a message carries the client's own name for it, its `clientOffset`: a
//   retry with the same one is acknowledged again, but stored and sent once.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { addressOf, limitEachClient } from '../../shared/clients';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { CHAT_RATE_LIMIT, RATE_LIMITED, ClientRateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { checkJoin, roomSizeFromEnv, UserListUpdates, type JoinReply } from '../../shared/room-events';
import { runFromCommandLine, serve, type RunningLesson, type StartOptions } from '../../shared/run';
import { Users, type User } from '../../shared/users';
import {
  checkCoordinates,
  checkFields,
  checkOne,
  checkText,
  isPlainObject,
  refuseUnknownEvents,
  takeAck,
  type Checked,
  type Reply,
} from '../../shared/validation';
import { ByteBudget, CATCH_UP_BUDGET } from './catch-up';
import type { ClientToServerEvents, MessagePayload, ServerToClientEvents } from './events';
import { limitRecoveries, RECOVERY_RATE_LIMIT, type RecoveryData } from './recovery';
import { dbFileFromEnv, MAX_STORED_PER_ROOM, MessageStore, syncFromEnv, type NewMessage, type StoredMessage, type Sync } from './store';

export interface DeliveryOptions extends StartOptions {
  /** How many messages a socket may send (the tests use a tighter limit). */
  rateLimit?: RateLimitOptions;
  /** How often a socket may join or switch rooms. */
  joinRateLimit?: RateLimitOptions;
  /** The most people in a room (default MAX_ROOM_SIZE from the environment, or 500). */
  maxRoomSize?: number;
  /** The SQLite file: DB_FILE from the environment, or data/chat.db. ":memory:" keeps nothing (the tests use it). */
  dbFile?: string;
  /** NORMAL (survives a crash of the server) or FULL (survives a power cut too): DB_SYNC, or NORMAL. */
  dbSync?: Sync;
  /** The most messages the store keeps per room (default 500), beyond those younger than keepStoredMs. */
  maxStoredPerRoom?: number;
  /** However many a room gets, the store keeps every message younger than this, in ms (default twice recoveryMs). */
  keepStoredMs?: number;
  /** How long a dropped connection may stay away and still be recovered, in ms (default 1 minute). */
  recoveryMs?: number;
  /** How often one address may recover a connection (see recovery.ts). */
  recoveryRateLimit?: RateLimitOptions;
  /** How many bytes of stored messages one address may be sent when it joins, at once and per second (see catch-up.ts). */
  catchUpBudget?: RateLimitOptions;
}

export const JOIN_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 1 };
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';
export const NOT_STORED = 'the server could not store your message: try again in a moment';

/** A connection that drops for up to a minute is recovered; after that, the store takes over. */
export const RECOVERY_MS = 60_000;
/** How many of a room's messages a newcomer gets. */
export const HISTORY = 50;
/**
 * The most messages sent at once to a page: missed ones after a rejoin, or
 * packets after a recovery. A burst waits until it is written out, and a
 * client for whom too much waits unread is cut off (shared/clients.ts: 1 MB):
 * 1,000 messages of 500 characters are about 0.6 MB. That is more than one
 * address may send in a minute (30 at once, then 15 a second), so a page away
 * for the recovery window gets all it missed, whatever one classmate sends.
 */
export const MAX_CATCH_UP = 1_000;
/**
 * Nor more than this many characters of JSON (user lists can be long, and a
 * message of 500 quotes takes 1,000 as JSON: `\"`).
 */
export const MAX_CATCH_UP_BYTES = 600_000;
/** What a page is told when it cannot get every message it missed: no longer stored, or too many to send. */
export const GAP_NOTICE = 'Some earlier messages could not be sent: they are no longer kept, or there were too many at once.';
/** The longest `clientOffset` accepted (a UUID is 36 characters). */
export const MAX_CLIENT_OFFSET_LENGTH = 64;

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a socket id). */
export const channel = (roomKey: string) => `room:${roomKey}`;

/** What Socket.IO keeps in `socket.data`, and gives back to a recovered socket: the room to be put back in. */
interface SocketData extends RecoveryData {
  joined?: { name: string; room: string };
}

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/**
 * Checks `createMessage`'s payload: `{ text }` or `{ text, clientOffset }`,
 * where clientOffset is a string of 1 to 64 characters (null is refused too).
 */
export function checkMessage(value: unknown): Checked<MessagePayload> {
  const object = checkFields(value, ['text', 'clientOffset']);
  if (!object.ok) return object;
  const text = checkText(object.value.text);
  if (!text.ok) return text;
  if (!Object.hasOwn(object.value, 'clientOffset')) return { ok: true, value: { text: text.value } };
  const clientOffset = object.value.clientOffset;
  if (typeof clientOffset !== 'string' || clientOffset.length === 0 || clientOffset.length > MAX_CLIENT_OFFSET_LENGTH) {
    return { ok: false, error: `clientOffset must be a string of 1 to ${MAX_CLIENT_OFFSET_LENGTH} characters` };
  }
  return { ok: true, value: { text: text.value, clientOffset } };
}

/**
 * The id of the last message a client saw, from its handshake's `auth`, or 0
 * (a newcomer). Anything but a whole number from 1 to the highest id this
 * store ever gave counts as 0: a string, a negative number, NaN (which
 * arrives as null), 1e308, or an id from another database.
 */
export function serverOffsetOf(auth: unknown, lastId: number): number {
  const offset = isPlainObject(auth) ? auth.serverOffset : undefined;
  return typeof offset === 'number' && Number.isSafeInteger(offset) && offset > 0 && offset <= lastId ? offset : 0;
}

export async function start({
  port = 0,
  rateLimit = CHAT_RATE_LIMIT,
  joinRateLimit = JOIN_RATE_LIMIT,
  maxRoomSize = roomSizeFromEnv(),
  dbFile = dbFileFromEnv(),
  dbSync = syncFromEnv(),
  maxStoredPerRoom = MAX_STORED_PER_ROOM,
  recoveryMs = RECOVERY_MS,
  recoveryRateLimit = RECOVERY_RATE_LIMIT,
  catchUpBudget = CATCH_UP_BUDGET,
  keepStoredMs = 2 * recoveryMs,
}: DeliveryOptions = {}): Promise<RunningLesson> {
  let store: MessageStore;
  try {
    store = new MessageStore(dbFile, { maxPerRoom: maxStoredPerRoom, keepMs: keepStoredMs, sync: dbSync });
  } catch (err) {
    throw new Error(`Could not open the message store ${dbFile}: ${(err as Error).message}. Set DB_FILE to a file you may write.`);
  }
  if (dbFile !== ':memory:') console.log(`messages are stored in ${shortPath(path.resolve(dbFile))}`);

  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  // The page's libraries, from node_modules: no CDN, so the chat works offline.
  app.get('/vendor/mustache.js', (req, res) => res.sendFile(require.resolve('mustache/mustache.min.js')));
  app.get('/vendor/moment.js', (req, res) => res.sendFile(require.resolve('moment/min/moment.min.js')));

  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    // A message is at most 500 characters: a few KB is plenty.
    maxHttpBufferSize: 4_000,
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
    // Socket.IO keeps, in memory, every packet sent to a room for `recoveryMs`, and the
    // id, rooms and data of each socket that dropped. A socket back in time gets them.
    connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true },
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread
  // Recovery sends a socket everything it missed at once: budget it (recovery.ts).
  limitRecoveries(io, { rateLimit: recoveryRateLimit, maxCatchUp: MAX_CATCH_UP, maxCatchUpBytes: MAX_CATCH_UP_BYTES, recoveryMs });
  const limiter = new ClientRateLimiter(rateLimit);
  const joinLimiter = new ClientRateLimiter(joinRateLimit);
  const catchUps = new ByteBudget(catchUpBudget); // bytes of history per address (catch-up.ts)
  const users = new Users(maxRoomSize);

  /** Everyone in `user`'s room gets the room's names, soon: one list for many joins at once. */
  const userLists = new UserListUpdates((roomKey) => {
    io.to(channel(roomKey)).emit('updateUserList', users.listNames(roomKey));
  });
  httpServer.on('close', () => userLists.close());
  const sendUserList = (user: User) => userLists.update(user.roomKey);

  /** Call once `user` is out of `users`: the socket leaves, the room hears it and gets its list. */
  const announceLeaving = (socket: ChatSocket, user: User) => {
    socket.leave(channel(user.roomKey));
    // Not to the socket itself: if it comes back recovered, this is not news it missed.
    io.to(channel(user.roomKey)).except(socket.id).emit('newMessage', generateMessage(ADMIN, `${user.name} has left`));
    sendUserList(user);
  };

  /** A stored row as the page gets it: a text or a location, with its id. */
  const sendStored = (socket: ChatSocket, { id, author, text, url, createdAt }: StoredMessage) => {
    if (url !== null) socket.emit('newLocationMessage', { id, from: author, url, createdAt });
    else socket.emit('newMessage', { id, from: author, text: text ?? '', createdAt });
  };

  // The store may fail (a full disk, the file locked by another program): say so, once a minute at most.
  let warned = 0;
  const storeFailed = (err: unknown) => {
    if (Date.now() - warned < 60_000) return;
    warned = Date.now();
    console.error(`the message store failed: ${(err as Error)?.message ?? err}`);
  };

  io.on('connection', (socket) => {
    console.log(`${socket.id} ${socket.recovered ? 'recovered' : 'connected'}`);
    if (socket.recovered) restore(socket);

    socket.on('join', (...args: unknown[]) => {
      const { payload, ack } = takeAck<JoinReply>(args);
      if (!ack) return; // the contract asks for an acknowledgement: without one, drop it
      const checked = checkOne(payload, checkJoin);
      if (!checked.ok) return ack({ ok: false, error: checked.error });
      if (!joinLimiter.take(socket)) return ack({ ok: false, error: JOINS_LIMITED });

      const before = users.get(socket.id);
      const added = users.add(socket.id, checked.value.name, checked.value.room);
      if (!added.ok) return ack({ ok: false, error: added.error }); // name taken: nothing changed
      const user = added.value;
      socket.data.joined = { name: user.name, room: user.room }; // kept for a recovery
      const reply = { ok: true as const, name: user.name, room: user.room };
      if (before?.roomKey === user.roomKey && before.name === user.name) return ack(reply); // already there
      if (before) announceLeaving(socket, before); // a switch: out of the old room first

      socket.join(channel(user.roomKey));
      ack(reply);
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${user.room}, ${user.name}!`));
      // What the page has not seen: on its first join since it connected, the messages
      // after its serverOffset; a newcomer, or someone switching rooms, the last 50.
      if (before?.roomKey !== user.roomKey) {
        const offset = before ? 0 : serverOffsetOf(socket.handshake.auth, store.lastId());
        sendHistory(socket, user.roomKey, offset);
      }
      socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} has joined`));
      sendUserList(user);
    });

    /**
     * Sends the room's messages after `offset`, oldest first: the newest MAX_CATCH_UP of them, in
     * MAX_CATCH_UP_BYTES at most; or, for 0, its last HISTORY. Either way, no more than what is
     * left of the address's budget (catch-up.ts). If some are not sent (no longer stored, or past
     * those limits), a notice says so first, with `gap: true`.
     */
    function sendHistory(socket: ChatSocket, roomKey: string, offset: number) {
      let rows: StoredMessage[];
      let gap = false;
      try {
        rows = offset > 0 ? store.since(roomKey, offset, MAX_CATCH_UP + 1) : store.latest(roomKey, HISTORY);
        if (offset > 0) gap = store.gapAfter(roomKey, offset);
      } catch (err) {
        return storeFailed(err);
      }
      // From the newest back, as many as fit.
      const address = addressOf(socket);
      const limit = Math.min(MAX_CATCH_UP_BYTES, catchUps.available(address));
      let first = rows.length;
      let bytes = 0;
      while (first > 0 && rows.length - first < MAX_CATCH_UP) {
        const size = JSON.stringify(rows[first - 1]).length;
        if (bytes + size > limit) break;
        bytes += size;
        first--;
      }
      catchUps.spend(address, bytes);
      if (gap || first > 0) socket.emit('newMessage', { ...generateMessage(ADMIN, GAP_NOTICE), gap: true });
      for (const row of rows.slice(first)) sendStored(socket, row);
    }

    /**
     * Stores a message, then sends it to the sender's room; returns the answer.
     * A retry (a clientOffset this user already sent here) is answered
     * `{ ok: true }` again, and neither stored nor sent twice.
     */
    function deliver(sender: User, message: Omit<NewMessage, 'roomKey' | 'author'>): Reply {
      const { roomKey, name } = sender;
      if (message.clientOffset !== null && store.has(roomKey, name, message.clientOffset)) return { ok: true };
      if (!limiter.take(socket)) return { ok: false, error: RATE_LIMITED };
      let id: number | undefined;
      try {
        id = store.add({ roomKey, author: name, ...message }); // on disk before anyone hears of it
      } catch (err) {
        storeFailed(err);
        return { ok: false, error: NOT_STORED };
      }
      if (id === undefined) return { ok: true }; // stored already
      const { text, url, createdAt } = message;
      if (url !== null) io.to(channel(roomKey)).emit('newLocationMessage', { id, from: name, url, createdAt });
      else io.to(channel(roomKey)).emit('newMessage', { id, from: name, text: text ?? '', createdAt });
      return { ok: true };
    }

    /**
     * Every chat event takes the same steps: split off the acknowledgement,
     * look up who sent it, check the payload, deliver, answer.
     */
    function handle<T>(check: (value: unknown) => Checked<T>, send: (value: T, sender: User) => Reply) {
      return (...args: unknown[]) => {
        const { payload, ack } = takeAck<Reply>(args);
        if (!ack) return;
        const sender = users.get(socket.id); // who the server says this is
        if (!sender) return ack({ ok: false, error: NOT_JOINED });
        const checked = checkOne(payload, check);
        if (!checked.ok) return ack({ ok: false, error: checked.error });
        ack(send(checked.value, sender));
      };
    }

    socket.on(
      'createMessage',
      handle(checkMessage, ({ text, clientOffset }, sender) => {
        const { createdAt } = generateMessage(sender.name, text);
        return deliver(sender, { text, url: null, clientOffset: clientOffset ?? null, createdAt });
      }),
    );
    socket.on(
      'createLocationMessage',
      handle(checkCoordinates, ({ latitude, longitude }, sender) => {
        const { url, createdAt } = generateLocationMessage(sender.name, latitude, longitude);
        return deliver(sender, { text: null, url, clientOffset: null, createdAt });
      }),
    );

    socket.on('disconnect', (reason) => {
      console.log(`${socket.id} left (${reason})`);
      limiter.forget(socket);
      joinLimiter.forget(socket);
      const user = users.remove(socket.id);
      if (user) announceLeaving(socket, user);
    });
    refuseUnknownEvents(socket);
  });

  /**
   * A recovered socket has its id, its rooms and its socket.data back, and
   * Socket.IO has sent it what it missed. The lesson's own state is not
   * Socket.IO's to restore: put the user back in `users`. If that fails (the
   * name was taken meanwhile, the room is full, too many rejoins), take the
   * socket out of its room: the page's join will say why.
   */
  function restore(socket: ChatSocket) {
    const joined = socket.data.joined;
    if (!joined) return; // it had not joined a room
    const added = joinLimiter.take(socket) ? users.add(socket.id, joined.name, joined.room) : undefined;
    if (!added?.ok) {
      for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
      socket.data.joined = undefined;
      return;
    }
    const user = added.value;
    socket.join(channel(user.roomKey));
    socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} is back`));
    sendUserList(user);
  }

  // Listen as lesson 02 does, with shared/run.ts; close() also closes the store.
  let lesson: RunningLesson;
  try {
    lesson = await serve(io, httpServer, port);
  } catch (err) {
    store.close();
    throw err;
  }
  return {
    ...lesson,
    async close() {
      await lesson.close();
      store.close();
    },
  };
}

/** A file's path from here when it is under this folder, or its whole path. */
function shortPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

if (require.main === module) runFromCommandLine(start);
