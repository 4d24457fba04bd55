// Lesson 13: scale-out. The chat that each worker runs: lesson 12's, where
// one process is no longer the whole classroom. `npm start -- 13` runs
// server.ts, which forks the workers with node:cluster (worker.ts) and keeps
// the front port, handing every request of a session to the worker that holds
// it (sticky sessions, front.ts). Here: an adapter (adapters.ts) carries each
// `io.to(room).emit` to the other workers; who is in a room lives in each
// socket's `socket.data`, and a join asks every worker with
// `serverSideEmitWithAck('members')` (members.ts); one SQLite file holds the messages.
import { ADMIN } from '../../shared/chat-events';
import { boundRecoveries, checkMessage, Delivery } from '../../shared/delivery';
import { openStore } from '../../shared/delivery-store';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { generateMessage } from '../../shared/message-generator';
import { ClientRateLimiter } from '../../shared/rate-limit';
import { checkJoin, roomFull, type JoinReply, type JoinRequest } from '../../shared/room-events';
import { listening, type RunningLesson } from '../../shared/run';
import { checkCoordinates, refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, InterServerEvents, Member, ServerToClientEvents, SocketData } from './events';
import { keysOf, Members, nameTaken, type ChatSocket } from './members';
import { chatSettings, MAX_CATCH_UP, type ChatOptions } from './settings';

export async function start(options: ChatOptions = {}): Promise<RunningLesson> {
  const { port, rateLimit, joinRateLimit, maxRoomSize, adapter, recovery, recoveryMs, askWorkersMs, sharedPort, name, onClose, ...stored } = chatSettings(options);
  const store = openStore(stored.dbFile, { maxPerRoom: stored.maxStoredPerRoom, keepMs: 2 * recoveryMs, sync: stored.dbSync, busyTimeoutMs: 2000 });
  const { io, httpServer } = lessonServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(__dirname, {
    vendor: ['mustache', 'moment'],
    adapter, // what this worker sends reaches the others (adapters.ts)
    // With Redis, a dropped socket's session and packets are kept where every worker finds them.
    ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true } } : {}),
  });
  boundRecoveries(io, { maxCatchUp: MAX_CATCH_UP }); // lesson 12
  const delivery = new Delivery(io, store, channel, { maxCatchUp: MAX_CATCH_UP, name }); // lesson 12
  const members = new Members(io, channel, askWorkersMs); // the others answer who of a room is here
  const [limiter, joinLimiter] = [new ClientRateLimiter(rateLimit), new ClientRateLimiter(joinRateLimit, { error: JOINS_LIMITED })]; // lesson 04
  let closed = false;

  io.on('connection', (socket) => {
    console.log(`${name}: ${socket.id} ${socket.recovered ? 'recovered' : 'connected'}`);
    const [limit, joinLimit] = [limiter.of(socket), joinLimiter.of(socket)];
    if (socket.recovered) void restore(socket, joinLimit.take()); // a recovery counts as a join
    let joining = false; // one join at a time per socket: each waits for the other workers

    socket.on('join', checked(checkJoin, null, (wanted, ack) => {
      if (joining) return ack({ ok: false, error: JOIN_UNDER_WAY });
      if (!joinLimit.take()) return ack({ ok: false, error: joinLimit.error });
      joining = true;
      join(socket, wanted, ack).finally(() => (joining = false));
    }));

    // Every message carries the name and room this socket's socket.data holds.
    socket.on('createMessage', checked(checkMessage, null, (message, ack) => {
      const sender = socket.data.user;
      ack(sender ? delivery.sendText(sender, limit, message) : { ok: false, error: NOT_JOINED });
    }));

    socket.on('createLocationMessage', checked(checkCoordinates, null, (coordinates, ack) => {
      const sender = socket.data.user;
      ack(sender ? delivery.sendLocation(sender, limit, coordinates) : { ok: false, error: NOT_JOINED });
    }));

    socket.on('disconnect', (reason) => {
      console.log(`${name}: ${socket.id} left (${reason})`);
      // socket.data stays as it is: with recovery, it is the session another worker may restore.
      if (socket.data.user) announceLeaving(socket, socket.data.user);
    });
    refuseUnknownEvents(socket); // lesson 03
  });

  /**
   * Joins (or switches to) a room. The room's members may be on any worker:
   * the join asks them all, then decides. Two joins of one name on this worker
   * wait for each other (`claim`); on two workers, see the README (the race).
   */
  async function join(socket: ChatSocket, wanted: JoinRequest, ack: (reply: JoinReply) => void): Promise<void> {
    const { roomKey, nameKey, looksKey } = keysOf(wanted);
    const release = members.claim(roomKey, nameKey, looksKey);
    if (!release) return ack({ ok: false, error: `the name "${wanted.name}" is taken in room "${wanted.room}"` });
    try {
      const others = (await members.of(roomKey).catch(() => undefined))?.filter((member) => member.id !== socket.id);
      if (!others) return ack({ ok: false, error: WORKERS_BUSY });
      if (socket.disconnected || closed) return; // gone while the workers answered: nobody to tell
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
      // On its first join, what came after its serverOffset; switching rooms, the last 50 (lesson 12).
      if (moving) delivery.catchUp(socket, roomKey, before ? 0 : delivery.offsetOf(socket));
      socket.to(channel(roomKey)).emit('newMessage', generateMessage(ADMIN, `${wanted.name} has joined`));
      members.update(roomKey);
    } finally {
      release();
    }
  }

  /** Once `user` has left: the socket leaves, the room hears it (not the socket: it may come back recovered), and gets its list. */
  function announceLeaving(socket: ChatSocket, user: Member) {
    socket.leave(channel(user.roomKey));
    io.to(channel(user.roomKey)).except(socket.id).emit('newMessage', generateMessage(ADMIN, `${user.name} has left`));
    members.update(user.roomKey);
  }

  /** A recovered socket has its rooms and socket.data back, perhaps on another worker. Its name taken meanwhile: out of the room. */
  async function restore(socket: ChatSocket, allowed: boolean): Promise<void> {
    const user = socket.data.user;
    if (!user) return; // it had not joined a room
    // No answer from the others: keep it, the name was its own.
    const others = allowed ? (await members.of(user.roomKey).catch(() => [])).filter((member) => member.id !== socket.id) : undefined;
    if (socket.disconnected || closed) return;
    if (!others || others.some((member) => member.nameKey === user.nameKey || member.looksKey === user.looksKey)) {
      for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
      socket.data.user = undefined; // the page's join will say why
      return;
    }
    socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} is back`));
    members.update(user.roomKey);
  }

  const close = async () => {
    closed = true;
    members.close();
    await io.close();
    store.close();
    await onClose?.();
  };
  // A port of its own (exclusive: node:cluster would otherwise share it among the workers), or the shared one.
  httpServer.listen({ port, exclusive: !sharedPort });
  const url = await listening(httpServer).catch(async (err) => {
    await close();
    throw err;
  });
  return { url, io, close };
}

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a socket id). */
export const channel = (roomKey: string) => `room:${roomKey}`;
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';
export const JOIN_UNDER_WAY = 'your last join is still under way: wait for its answer';
export const WORKERS_BUSY = 'the other servers did not answer in time: try again in a moment';
