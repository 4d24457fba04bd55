// Lesson 13: the chat that every worker runs.
// Lesson 12's chat, ready to run in several processes at once. What lesson 12
// kept in one process's memory now comes from every process:
// - who is in a room: each socket carries its name and room in `socket.data`,
//   and `io.serverSideEmitWithAck('members', room)` asks every worker for the
//   names of its sockets there (names only: see membersOf);
// - a taken name: the same question, asked before a join;
// - messages and notices reach the room's members on every worker, through
//   the adapter (the cluster adapter, or Redis: see adapters.ts);
// - the messages themselves: one SQLite file that every worker opens
//   (store.ts), so ids are the same on every worker, and a rejoin on any of
//   them replays by serverOffset;
// - connection state recovery, with an adapter that keeps sessions where
//   every worker finds them (Redis).
// Run alone (no adapter, recovery on), it is lesson 12 again: one process.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { limitEachClient } from '../../shared/clients';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { CHAT_RATE_LIMIT, RATE_LIMITED, ClientRateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { checkJoin, roomFull, roomSizeFromEnv, type JoinReply, type JoinRequest } from '../../shared/room-events';
import { listening, type RunningLesson, type StartOptions } from '../../shared/run';
import { skeleton } from '../../shared/skeleton';
import { keyOf, nameKeyOf } from '../../shared/users';
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
import type { ClientToServerEvents, MessagePayload, ServerToClientEvents } from './events';
import { dbFileFromEnv, MAX_STORED_PER_ROOM, MessageStore, syncFromEnv, type NewMessage, type StoredMessage, type Sync } from './store';

export interface ChatOptions extends StartOptions {
  /** How many messages a socket may send (the tests use a tighter limit). */
  rateLimit?: RateLimitOptions;
  /** How often a socket may join or switch rooms. */
  joinRateLimit?: RateLimitOptions;
  /** The most people in a room, on all workers together (default MAX_ROOM_SIZE, or 500). */
  maxRoomSize?: number;
  /** The SQLite file every worker shares: DB_FILE from the environment, or data/chat.db. */
  dbFile?: string;
  /** NORMAL (survives a crash of the server) or FULL (survives a power cut too): DB_SYNC, or NORMAL. */
  dbSync?: Sync;
  /** The most messages the store keeps per room (default 500). */
  maxStoredPerRoom?: number;
  /** How this server hears the others (adapters.ts). None: this process is the whole classroom. */
  adapter?: ServerOptions['adapter'];
  /**
   * Connection state recovery (lesson 12): a socket that drops for less than
   * a minute gets its rooms, its data and what it missed back, from whichever
   * server it reconnects to. Only an adapter that keeps sessions where every
   * server finds them supports it: Redis does; the cluster adapter does not
   * (it keeps none, and would send every socket.emit to every worker, for
   * nothing). Default: on with no adapter (lesson 12), off with one.
   */
  recovery?: boolean;
  /** How long a dropped connection may stay away and still be recovered, in ms (default 1 minute). */
  recoveryMs?: number;
  /** How long a question to every worker (who is in a room) may take before the join gives up, in ms. */
  askWorkersMs?: number;
  /**
   * Listen on a port that the cluster's workers share (node:cluster hands
   * each new connection to the next worker), instead of one of its own. Only
   * to show why sticky sessions matter: long-polling breaks.
   */
  sharedPort?: boolean;
  /** What the logs call this process, e.g. "worker 2". */
  name?: string;
  /** Runs once the server has closed (say, to close the Redis client). */
  onClose?: () => Promise<void>;
}

export const JOIN_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 1 };
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';
export const NOT_STORED = 'the server could not store your message: try again in a moment';
export const JOIN_UNDER_WAY = 'your last join is still under way: wait for its answer';
export const WORKERS_BUSY = 'the other servers did not answer in time: try again in a moment';

/** A connection that drops for up to a minute is recovered; after that, the store takes over. */
export const RECOVERY_MS = 60_000;
/** How many of a room's messages a newcomer gets. */
export const HISTORY = 50;
/**
 * The most messages sent at once to a page: missed ones after a rejoin, or
 * packets after a recovery. A burst waits until it is written out, and a
 * client for whom too much waits unread is cut off (shared/clients.ts).
 */
export const MAX_CATCH_UP = 500;
/** The longest `clientOffset` accepted (a UUID is 36 characters). */
export const MAX_CLIENT_OFFSET_LENGTH = 64;
/** Lesson 12 could answer a join at once; now a join asks every worker, which takes a round trip. */
export const ASK_WORKERS_MS = 2000;

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a socket id). */
export const channel = (roomKey: string) => `room:${roomKey}`;

/**
 * What a socket carries once it has joined. Socket.IO keeps `socket.data`
 * with the socket, and each worker answers the others' question about a
 * room's members from it: this is the state that left the process. (A
 * recovered socket gets it back too, on whichever worker it reconnects to.)
 */
export interface Member {
  /** The name as the user typed it, trimmed (and NFKC: `checkName`). */
  name: string;
  /** The room as its first member typed it, trimmed. */
  room: string;
  roomKey: string;
  /** What names are compared by, as in lesson 10's Users: `nameKeyOf`, and the skeleton as typed. */
  nameKey: string;
  looksKey: string;
  /** When they joined (Date.now()): the user list is in this order, on every worker. */
  joinedAt: number;
}

export interface SocketData {
  user?: Member;
}

/** A member and the id of the socket that holds the name, wherever it is. */
type Holder = Member & { id: string };

/** What the workers ask each other (serverSideEmit): the members of a room that each one holds. */
interface InterServerEvents {
  members: (roomKey: string, answer: (members: Holder[]) => void) => void;
}

type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Oldest first; sockets that joined in the same millisecond, by id: every worker sorts alike. */
const byArrival = (a: Holder, b: Holder) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Why a name is refused: `holder` has it, or one that looks like it (the same answers as lesson 10's Users). */
function nameTaken(holder: Member, name: string): string {
  if (keyOf(holder.name) === keyOf(name)) return `the name "${holder.name}" is taken in room "${holder.room}"`;
  return `the name "${name}" looks like "${holder.name}", who is in room "${holder.room}"`;
}

/** The members of a room that this worker holds: its sockets there, from their socket.data. */
function membersHere(io: ChatServer, roomKey: string): Holder[] {
  const here: Holder[] = [];
  for (const id of io.of('/').adapter.rooms.get(channel(roomKey)) ?? []) {
    const user = io.of('/').sockets.get(id)?.data.user;
    if (user?.roomKey === roomKey) here.push({ ...user, id });
  }
  return here;
}

/**
 * Makes this worker answer the others' question: who of a room's members
 * are here? Call once, at start.
 */
function answerMembers(io: ChatServer): void {
  io.on('members', (roomKey, answer) => {
    if (typeof roomKey === 'string' && typeof answer === 'function') answer(membersHere(io, roomKey));
  });
}

/**
 * The members of a room, from every worker. One question to all the others
 * (through the adapter), each answering with the members it holds there: a
 * name, a room, keys and an id, some 200 bytes each. Not `fetchSockets()`:
 * that ships each socket whole, its handshake with every header the client
 * sent (up to 16 KB), and a join in a room of 400 cost megabytes.
 * Rejects when a worker does not answer within `ms`.
 */
export async function membersOf(io: ChatServer, roomKey: string, ms: number): Promise<Holder[]> {
  const here = membersHere(io, roomKey);
  // Alone (no adapter), nobody else to ask; Socket.IO's own adapter would not answer.
  if ((await io.of('/').adapter.serverCount()) <= 1) return here.sort(byArrival);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the other servers did not answer in time')), ms)));
  try {
    const answers = await Promise.race([io.serverSideEmitWithAck('members', roomKey), late]);
    const there = answers.flatMap((answer) => (Array.isArray(answer) ? answer : [])).filter((member) => member.roomKey === roomKey);
    return [...here, ...there].sort(byArrival);
  } finally {
    clearTimeout(timer);
  }
}

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
  // Well formed too: Redis keeps UTF-8, where every lone surrogate becomes the same U+FFFD.
  if (typeof clientOffset !== 'string' || clientOffset.length === 0 || clientOffset.length > MAX_CLIENT_OFFSET_LENGTH || /\p{Cs}/u.test(clientOffset)) {
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

/**
 * Sends each room its user list now, and again a moment later, once, for
 * every change in between. Two workers may send a room lists that cross on
 * the way (each asked the others at another moment); the second list, asked
 * once every worker has settled, puts the room right.
 */
class RoomLists {
  private readonly waits = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly send: (roomKey: string) => void,
    private readonly ms = 100,
  ) {}

  update(roomKey: string): void {
    if (this.closed) return; // closing: the others' lists settle once their clients come back
    if (this.waits.has(roomKey)) return; // the list at the end of the wait has this change too
    this.waits.set(
      roomKey,
      setTimeout(() => {
        this.waits.delete(roomKey);
        this.send(roomKey);
      }, this.ms),
    );
    this.send(roomKey);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.waits.values()) clearTimeout(timer);
    this.waits.clear();
  }
}

export async function start({
  port = 0,
  rateLimit = CHAT_RATE_LIMIT,
  joinRateLimit = JOIN_RATE_LIMIT,
  maxRoomSize = roomSizeFromEnv(),
  dbFile = dbFileFromEnv(),
  dbSync = syncFromEnv(),
  maxStoredPerRoom = MAX_STORED_PER_ROOM,
  adapter,
  recovery = adapter === undefined,
  recoveryMs = RECOVERY_MS,
  askWorkersMs = ASK_WORKERS_MS,
  sharedPort = false,
  name = 'server',
  onClose,
}: ChatOptions = {}): Promise<RunningLesson> {
  let store: MessageStore;
  try {
    store = new MessageStore(dbFile, { maxPerRoom: maxStoredPerRoom, sync: dbSync });
  } catch (err) {
    await onClose?.();
    throw new Error(`Could not open the message store ${dbFile}: ${(err as Error).message}. Set DB_FILE to a file you may write.`);
  }

  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  // The page's libraries, from node_modules: no CDN, so the chat works offline.
  app.get('/vendor/mustache.js', (req, res) => res.sendFile(require.resolve('mustache/mustache.min.js')));
  app.get('/vendor/moment.js', (req, res) => res.sendFile(require.resolve('moment/min/moment.min.js')));

  const httpServer = createServer(app);
  const io: ChatServer = new Server(httpServer, {
    // A message is at most 500 characters: a few KB is plenty.
    maxHttpBufferSize: 4_000,
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
    adapter,
    // The adapter keeps every packet sent to a room for `recoveryMs`, and the id, rooms and
    // data of each socket that dropped (with Redis: in Redis, for every worker).
    ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true } } : {}),
  });
  limitEachClient(io); // per address, on this worker: a few connections, and nothing piles up unread
  answerMembers(io); // the other workers ask who of a room is here
  // Recovery sends a socket everything it missed at once. Past MAX_CATCH_UP packets that
  // would trip the limit just above, and cut the socket off at every try. So past it, the
  // socket starts afresh instead, and its join gets the room's messages from the store.
  const sessions = io.of('/').adapter;
  const restoreSession = sessions.restoreSession.bind(sessions);
  sessions.restoreSession = async (pid, offset) => {
    const session = await restoreSession(pid, offset);
    // null: no recovery (Socket.IO's own adapter answers null too, though its type leaves it out).
    return session && session.missedPackets.length <= MAX_CATCH_UP ? session : (null as never);
  };
  const limiter = new ClientRateLimiter(rateLimit);
  const joinLimiter = new ClientRateLimiter(joinRateLimit);
  let closed = false;

  /** The names in a room, from every worker, to everyone in it, on every worker. */
  const userLists = new RoomLists((roomKey) => {
    membersOf(io, roomKey, askWorkersMs).then(
      (members) => {
        if (!closed) io.to(channel(roomKey)).emit('updateUserList', members.map((member) => member.name));
      },
      () => {}, // a worker did not answer: the list a moment later asks again
    );
  });

  /** Call once `user` has left: the socket leaves, the room hears it and gets its list. */
  const announceLeaving = (socket: ChatSocket, user: Member) => {
    socket.leave(channel(user.roomKey));
    // Not to the socket itself: if it comes back recovered, this is not news it missed.
    io.to(channel(user.roomKey)).except(socket.id).emit('newMessage', generateMessage(ADMIN, `${user.name} has left`));
    userLists.update(user.roomKey);
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
    console.error(`${name}: the message store failed: ${(err as Error)?.message ?? err}`);
  };

  /** Names being taken by a join on this worker, while it asks the others: room key, then name key. */
  const taking = new Set<string>();

  io.on('connection', (socket) => {
    console.log(`${name}: ${socket.id} ${socket.recovered ? 'recovered' : 'connected'}`);
    if (socket.recovered) void restore(socket);
    let joining = false; // one join at a time per socket: each waits for the other workers

    socket.on('join', (...args: unknown[]) => {
      const { payload, ack } = takeAck<JoinReply>(args);
      if (!ack) return; // the contract asks for an acknowledgement: without one, drop it
      const checked = checkOne(payload, checkJoin);
      if (!checked.ok) return ack({ ok: false, error: checked.error });
      if (joining) return ack({ ok: false, error: JOIN_UNDER_WAY });
      if (!joinLimiter.take(socket)) return ack({ ok: false, error: JOINS_LIMITED });
      joining = true;
      join(socket, checked.value, ack).finally(() => (joining = false));
    });

    /**
     * Stores a message, then sends it to the sender's room; returns the answer.
     * A retry (a clientOffset this user already sent here) is answered
     * `{ ok: true }` again, and neither stored nor sent twice, whichever
     * worker it reaches: the store is the same file.
     */
    function deliver(sender: Member, message: Omit<NewMessage, 'roomKey' | 'author'>): Reply {
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
    function handle<T>(check: (value: unknown) => Checked<T>, send: (value: T, sender: Member) => Reply) {
      return (...args: unknown[]) => {
        const { payload, ack } = takeAck<Reply>(args);
        if (!ack) return;
        const sender = socket.data.user; // who the server says this is
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
      console.log(`${name}: ${socket.id} left (${reason})`);
      limiter.forget(socket);
      joinLimiter.forget(socket);
      // socket.data stays as it is: with recovery, it is the session another worker may restore.
      const user = socket.data.user;
      if (user) announceLeaving(socket, user);
    });
    refuseUnknownEvents(socket);
  });

  /**
   * Joins (or switches to) a room. Lesson 12 asked its Users, in memory; now
   * the room's members may be on any worker, so the join asks them all, then
   * decides. The same name being taken on this worker at that moment is
   * refused here; on another worker, see the README (the race that remains).
   */
  async function join(socket: ChatSocket, wanted: JoinRequest, ack: (reply: JoinReply) => void): Promise<void> {
    const roomKey = keyOf(wanted.room);
    const nameKey = nameKeyOf(wanted.name);
    const looksKey = skeleton(wanted.name);
    const claims = [`${roomKey}\n${nameKey}`, `${roomKey}\n${looksKey}`];
    if (claims.some((claim) => taking.has(claim))) return ack({ ok: false, error: `the name "${wanted.name}" is taken in room "${wanted.room}"` });
    for (const claim of claims) taking.add(claim);
    try {
      let members: Holder[];
      try {
        members = await membersOf(io, roomKey, askWorkersMs);
      } catch {
        return ack({ ok: false, error: WORKERS_BUSY });
      }
      if (socket.disconnected || closed) return; // gone while the workers answered: nobody to tell
      const others = members.filter((member) => member.id !== socket.id);
      const holder = others.find((member) => member.nameKey === nameKey || member.looksKey === looksKey);
      if (holder) return ack({ ok: false, error: nameTaken(holder, wanted.name) }); // nothing changed
      const before = socket.data.user;
      const moving = before?.roomKey !== roomKey;
      const room = others[0]?.room ?? wanted.room; // as its first member typed it
      if (moving && others.length >= maxRoomSize) return ack({ ok: false, error: roomFull(room, maxRoomSize) });

      const reply = { ok: true as const, name: wanted.name, room };
      if (before && !moving && before.name === wanted.name) return ack(reply); // already there
      if (before) announceLeaving(socket, before); // a switch: out of the old room first
      socket.data.user = { name: wanted.name, room, roomKey, nameKey, looksKey, joinedAt: Date.now() }; // kept for a recovery too
      socket.join(channel(roomKey));
      ack(reply);
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${room}, ${wanted.name}!`));
      // What the page has not seen: on its first join since it connected, the messages
      // after its serverOffset; a newcomer, or someone switching rooms, the last 50.
      if (moving) sendHistory(socket, roomKey, before ? 0 : serverOffsetOf(socket.handshake.auth, store.lastId()));
      socket.to(channel(roomKey)).emit('newMessage', generateMessage(ADMIN, `${wanted.name} has joined`));
      userLists.update(roomKey);
    } finally {
      for (const claim of claims) taking.delete(claim);
    }
  }

  /** Sends the room's messages after `offset` (the last MAX_CATCH_UP of them), oldest first; or, for 0, its last HISTORY. */
  function sendHistory(socket: ChatSocket, roomKey: string, offset: number) {
    let rows: StoredMessage[];
    try {
      rows = offset > 0 ? store.since(roomKey, offset, MAX_CATCH_UP) : store.latest(roomKey, HISTORY);
    } catch (err) {
      return storeFailed(err);
    }
    for (const row of rows) sendStored(socket, row);
  }

  /**
   * A recovered socket has its id, its rooms and its socket.data back, perhaps
   * on another worker than before, and Socket.IO has sent it what it missed.
   * If its name was taken meanwhile (or too many rejoins), it is taken out of
   * its room: the page's join will say why. Otherwise the room hears that it
   * is back.
   */
  async function restore(socket: ChatSocket): Promise<void> {
    const user = socket.data.user;
    if (!user) return; // it had not joined a room
    // A recovery counts as a join; no answer from the others: keep it, the name was its own.
    const members = joinLimiter.take(socket) ? await membersOf(io, user.roomKey, askWorkersMs).catch(() => []) : undefined;
    if (socket.disconnected || closed) return;
    if (!members || members.some((member) => member.id !== socket.id && (member.nameKey === user.nameKey || member.looksKey === user.looksKey))) {
      for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
      socket.data.user = undefined;
      return;
    }
    socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} is back`));
    userLists.update(user.roomKey);
  }

  // A port of its own (exclusive: node:cluster would otherwise share it among
  // the workers), or the one port all workers share (sharedPort).
  httpServer.listen({ port, exclusive: !sharedPort });
  let url: string;
  try {
    url = await listening(httpServer);
  } catch (err) {
    await io.close();
    store.close();
    await onClose?.();
    throw err;
  }
  return {
    url,
    io,
    async close() {
      closed = true;
      userLists.close();
      await io.close();
      store.close();
      await onClose?.();
    },
  };
}
