// Lesson 12: delivery.
// Lesson 10's chat, where no message is lost and none comes twice. Every message is stored before
// it is acknowledged; a page that was away gets what it missed, from Socket.IO's recovery or from
// the store (after its `serverOffset`, the last id it saw); a retry (same `clientOffset`) comes once.
import type { Socket } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { ClientRateLimiter } from '../../shared/rate-limit';
import { checkJoin, UserListUpdates } from '../../shared/room-events';
import { runFromCommandLine } from '../../shared/run';
import { Users, type User } from '../../shared/users';
import { checkCoordinates, refuseUnknownEvents, type Reply } from '../../shared/validation';
import { CatchUp, gapNotice } from './catch-up';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import { checkMessage, serverOffsetOf } from './offsets';
import { limitRecoveries } from './recovery';
import { settings, type DeliveryOptions } from './settings';
import { NOT_STORED, openStore, type NewMessage, type StoredMessage } from './store';

export async function start(options: DeliveryOptions = {}) {
  const { port, rateLimit, joinRateLimit, maxRoomSize, ...delivery } = settings(options); // settings.ts
  const store = openStore(delivery); // every message, in SQLite (store.ts)
  const { io, httpServer, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname, {
    vendor: ['mustache', 'moment'],
    // Socket.IO keeps each room's packets, and a dropped socket's id, rooms and data, for recoveryMs.
    connectionStateRecovery: { maxDisconnectionDuration: delivery.recoveryMs, skipMiddlewares: true },
  });
  limitRecoveries(io, delivery); // per address, and each session once (recovery.ts)
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04
  const joinLimiter = new ClientRateLimiter(joinRateLimit, { error: JOINS_LIMITED });
  const catchUp = new CatchUp(store, delivery.catchUpBudget); // bytes per address (catch-up.ts)
  const users = new Users(maxRoomSize);
  const userLists = new UserListUpdates((roomKey) => {
    io.to(channel(roomKey)).emit('updateUserList', users.listNames(roomKey));
  });
  httpServer.on('close', () => userLists.close());

  io.on('connection', (socket) => {
    console.log(`${socket.id} ${socket.recovered ? 'recovered' : 'connected'}`);
    if (socket.recovered) restore(socket); // back in its rooms, and sent what it missed, by Socket.IO
    const limit = limiter.of(socket);

    socket.on('join', checked(checkJoin, joinLimiter.of(socket), ({ name, room }, ack) => {
      const before = users.get(socket.id);
      const added = users.add(socket.id, name, room);
      if (!added.ok) return ack({ ok: false, error: added.error }); // name taken: nothing changed
      const user = added.value;
      socket.data.joined = { name: user.name, room: user.room }; // kept for a recovery
      const reply = { ok: true as const, name: user.name, room: user.room };
      if (before?.roomKey === user.roomKey && before.name === user.name) return ack(reply); // already there
      if (before) announceLeaving(socket, before); // a switch: out of the old room first

      socket.join(channel(user.roomKey));
      ack(reply);
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${user.room}, ${user.name}!`));
      // What the page missed: on its first join, what came after its serverOffset; else the last 50.
      const offset = before ? 0 : serverOffsetOf(socket.handshake.auth, store.lastId());
      if (before?.roomKey !== user.roomKey) sendHistory(socket, user.roomKey, offset);
      socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} has joined`));
      userLists.update(user.roomKey);
    }));

    socket.on('createMessage', checked(checkMessage, null, ({ text, clientOffset = null }, ack) => {
      const sender = users.get(socket.id);
      if (!sender) return ack({ ok: false, error: NOT_JOINED });
      ack(deliver(sender, { text, url: null, clientOffset, createdAt: Date.now() }));
    }));

    socket.on('createLocationMessage', checked(checkCoordinates, null, ({ latitude, longitude }, ack) => {
      const sender = users.get(socket.id);
      if (!sender) return ack({ ok: false, error: NOT_JOINED });
      const { url, createdAt } = generateLocationMessage(sender.name, latitude, longitude);
      ack(deliver(sender, { text: null, url, clientOffset: null, createdAt }));
    }));

    /** Stores the message, then sends it to the room: the answer says it is on disk. */
    function deliver(sender: User, message: Omit<NewMessage, 'roomKey' | 'author'>): Reply {
      const { roomKey, name } = sender;
      if (message.clientOffset !== null && store.has(roomKey, name, message.clientOffset)) return { ok: true }; // a retry
      if (!limit.take()) return { ok: false, error: limit.error }; // after the look-up: a retry costs no token
      let id: number | undefined;
      try {
        id = store.add({ roomKey, author: name, ...message }); // on disk before anyone hears of it
      } catch (err) {
        store.logFailure(err); // a full disk, a file locked by another program: answer, do not throw
        return { ok: false, error: NOT_STORED };
      }
      if (id !== undefined) sendStored(io.to(channel(roomKey)), { id, roomKey, author: name, ...message });
      return { ok: true }; // (undefined: stored already, by a retry that overtook this one)
    }

    socket.on('disconnect', (reason) => {
      console.log(`${socket.id} left (${reason})`);
      const user = users.remove(socket.id);
      if (user) announceLeaving(socket, user);
    });
    refuseUnknownEvents(socket); // lesson 03
  });

  /** Sends the room's messages after `offset` (0: its last 50), within the budget; a notice first if some cannot come. */
  function sendHistory(socket: Socket, roomKey: string, offset: number) {
    const { rows, gap } = catchUp.missed(socket, roomKey, offset);
    if (gap) socket.emit('newMessage', gapNotice());
    for (const row of rows) sendStored(socket, row);
  }

  /** A stored row as the page gets it, live or from the store: a text or a location, with its id. */
  function sendStored(to: Pick<Socket<ClientToServerEvents, ServerToClientEvents>, 'emit'>, { id, author, text, url, createdAt }: StoredMessage) {
    if (url !== null) to.emit('newLocationMessage', { id, from: author, url, createdAt });
    else to.emit('newMessage', { id, from: author, text: text ?? '', createdAt });
  }

  /** Call once `user` is out of `users`: the socket leaves, the room hears it and gets its list. */
  function announceLeaving(socket: Socket, user: User) {
    socket.leave(channel(user.roomKey));
    // Not to the socket itself: if it comes back recovered, this is not news it missed.
    io.to(channel(user.roomKey)).except(socket.id).emit('newMessage', generateMessage(ADMIN, `${user.name} has left`));
    userLists.update(user.roomKey);
  }

  // Socket.IO restored its rooms and data; the user in `users` is ours to put back. If we cannot (the
  // name taken meanwhile, the room full, too many joins), it leaves its rooms: its join will say why.
  function restore(socket: Socket) {
    const { joined } = socket.data; // undefined: it had not joined a room
    const added = joined && joinLimiter.take(socket) ? users.add(socket.id, joined.name, joined.room) : undefined;
    if (!added?.ok) {
      for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
      return void (socket.data.joined = undefined);
    }
    const user = added.value;
    socket.join(channel(user.roomKey));
    socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} is back`));
    userLists.update(user.roomKey);
  }

  const lesson = await listen(port).catch((err) => { store.close(); throw err; });
  return { ...lesson, close: () => lesson.close().then(() => store.close()) }; // the store closes last
}

export type { DeliveryOptions } from './settings';
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a socket id). */
export const channel = (roomKey: string) => `room:${roomKey}`;

if (require.main === module) runFromCommandLine(start);
