// Lesson 10: users.
// The rooms of lesson 09, with a `Users` list on the server: who is where,
// under which name. Each room sees its people, live; a name is taken once per
// room; a user may switch rooms; and every message carries the name and room
// the server stored, whatever the client claims.
import type { Socket } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { ClientRateLimiter } from '../../shared/rate-limit';
import { checkJoin, UserListUpdates } from '../../shared/room-events';
import { runFromCommandLine } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { Users, type User } from '../../shared/users';
import { checkCoordinates, checkMessagePayload, refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export async function start(options: StartOptions = {}) {
  const { port, rateLimit, joinRateLimit, maxRoomSize } = settings(options);
  const { io, httpServer, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname, {
    vendor: ['mustache', 'moment'],
  });
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04
  const joinLimiter = new ClientRateLimiter(joinRateLimit, { error: JOINS_LIMITED });
  const users = new Users(maxRoomSize);
  const userLists = new UserListUpdates((roomKey) => {
    io.to(channel(roomKey)).emit('updateUserList', users.listNames(roomKey));
  });
  httpServer.on('close', () => userLists.close());

  io.on('connection', (socket) => {
    console.log(`${socket.id} connected`);

    socket.on('join', checked(checkJoin, joinLimiter.of(socket), ({ name, room }, ack) => {
      const before = users.get(socket.id);
      const added = users.add(socket.id, name, room);
      if (!added.ok) return ack({ ok: false, error: added.error }); // name taken: nothing changed
      const user = added.value;
      const reply = { ok: true as const, name: user.name, room: user.room };
      if (before?.roomKey === user.roomKey && before.name === user.name) return ack(reply); // already there
      if (before) announceLeaving(socket, before); // a switch: out of the old room first

      socket.join(channel(user.roomKey));
      ack(reply);
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${user.room}, ${user.name}!`));
      socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} has joined`));
      userLists.update(user.roomKey);
    }));

    // Every message carries the name and room the server stored for this socket.
    socket.on('createMessage', checked(checkMessagePayload, limiter.of(socket), ({ text }, ack) => {
      const sender = users.get(socket.id); // who the server says this is
      if (!sender) return ack({ ok: false, error: NOT_JOINED });
      io.to(channel(sender.roomKey)).emit('newMessage', generateMessage(sender.name, text));
      ack({ ok: true });
    }));

    socket.on('createLocationMessage', checked(checkCoordinates, limiter.of(socket), ({ latitude, longitude }, ack) => {
      const sender = users.get(socket.id);
      if (!sender) return ack({ ok: false, error: NOT_JOINED });
      io.to(channel(sender.roomKey)).emit('newLocationMessage', generateLocationMessage(sender.name, latitude, longitude));
      ack({ ok: true });
    }));

    socket.on('disconnect', () => {
      console.log(`${socket.id} left`);
      const user = users.remove(socket.id);
      if (user) announceLeaving(socket, user);
    });
    refuseUnknownEvents(socket); // lesson 03
  });

  /** Call once `user` is out of `users`: the socket leaves, the room hears it and gets its list. */
  function announceLeaving(socket: Socket, user: User) {
    socket.leave(channel(user.roomKey));
    io.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} has left`));
    userLists.update(user.roomKey);
  }

  return listen(port);
}

export { JOIN_RATE_LIMIT } from '../../shared/settings';
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a socket id). */
export const channel = (roomKey: string) => `room:${roomKey}`;

if (require.main === module) runFromCommandLine(start);
