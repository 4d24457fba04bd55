// Lesson 10: users.
// The rooms of lesson 09, with a `Users` list on the server: who is where,
// under which name. Each room sees its people, live; a name is taken once per
// room; a user may switch rooms; and every message carries the name and room
// the server stored, whatever the client claims.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server, type Socket } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { limitEachClient } from '../../shared/clients';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { CHAT_RATE_LIMIT, RATE_LIMITED, ClientRateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { checkJoin, roomSizeFromEnv, UserListUpdates, type JoinReply } from '../../shared/room-events';
import { runFromCommandLine, serve, type RunningLesson, type StartOptions } from '../../shared/run';
import { Users, type User } from '../../shared/users';
import {
  checkCoordinates,
  checkMessagePayload,
  checkOne,
  refuseUnknownEvents,
  takeAck,
  type Checked,
  type Reply,
} from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export interface UsersOptions extends StartOptions {
  /** How many messages a socket may send (the tests use a tighter limit). */
  rateLimit?: RateLimitOptions;
  /** How often a socket may join or switch rooms: each switch tells two rooms. */
  joinRateLimit?: RateLimitOptions;
  /** The most people in a room (default MAX_ROOM_SIZE from the environment, or 500). */
  maxRoomSize?: number;
}

export const JOIN_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 1 };
export const JOINS_LIMITED = 'too many joins: wait a moment and try again';
export const NOT_JOINED = 'join a room first';

/** The Socket.IO room for a chat room (prefixed: no chat room is called like a socket id). */
export const channel = (roomKey: string) => `room:${roomKey}`;

export async function start({
  port = 0,
  rateLimit = CHAT_RATE_LIMIT,
  joinRateLimit = JOIN_RATE_LIMIT,
  maxRoomSize = roomSizeFromEnv(),
}: UsersOptions = {}): Promise<RunningLesson> {
  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  // The page's libraries, from node_modules: no CDN, so the chat works offline.
  app.get('/vendor/mustache.js', (req, res) => res.sendFile(require.resolve('mustache/mustache.min.js')));
  app.get('/vendor/moment.js', (req, res) => res.sendFile(require.resolve('moment/min/moment.min.js')));

  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    // A message is at most 500 characters: a few KB is plenty.
    maxHttpBufferSize: 4_000,
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread
  const limiter = new ClientRateLimiter(rateLimit);
  const joinLimiter = new ClientRateLimiter(joinRateLimit);
  const users = new Users(maxRoomSize);

  /** Everyone in `user`'s room gets the room's names, soon: one list for many joins at once. */
  const userLists = new UserListUpdates((roomKey) => {
    io.to(channel(roomKey)).emit('updateUserList', users.listNames(roomKey));
  });
  httpServer.on('close', () => userLists.close());
  const sendUserList = (user: User) => userLists.update(user.roomKey);

  /** Call once `user` is out of `users`: the socket leaves, the room hears it and gets its list. */
  const announceLeaving = (socket: Socket, user: User) => {
    socket.leave(channel(user.roomKey));
    io.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} has left`));
    sendUserList(user);
  };

  io.on('connection', (socket) => {
    console.log(`${socket.id} connected`);

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
      const reply = { ok: true as const, name: user.name, room: user.room };
      if (before?.roomKey === user.roomKey && before.name === user.name) return ack(reply); // already there
      if (before) announceLeaving(socket, before); // a switch: out of the old room first

      socket.join(channel(user.roomKey));
      ack(reply);
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${user.room}, ${user.name}!`));
      socket.to(channel(user.roomKey)).emit('newMessage', generateMessage(ADMIN, `${user.name} has joined`));
      sendUserList(user);
    });

    /**
     * Every chat event takes the same steps: split off the acknowledgement,
     * look up who sent it, check the payload, apply the rate limit, send, answer.
     */
    function handle<T>(check: (value: unknown) => Checked<T>, send: (value: T, sender: User) => void) {
      return (...args: unknown[]) => {
        const { payload, ack } = takeAck<Reply>(args);
        if (!ack) return;
        const sender = users.get(socket.id); // who the server says this is
        if (!sender) return ack({ ok: false, error: NOT_JOINED });
        const checked = checkOne(payload, check);
        if (!checked.ok) return ack({ ok: false, error: checked.error });
        if (!limiter.take(socket)) return ack({ ok: false, error: RATE_LIMITED });
        send(checked.value, sender);
        ack({ ok: true });
      };
    }

    socket.on(
      'createMessage',
      handle(checkMessagePayload, ({ text }, { name, roomKey }) => {
        io.to(channel(roomKey)).emit('newMessage', generateMessage(name, text));
      }),
    );
    socket.on(
      'createLocationMessage',
      handle(checkCoordinates, ({ latitude, longitude }, { name, roomKey }) => {
        io.to(channel(roomKey)).emit('newLocationMessage', generateLocationMessage(name, latitude, longitude));
      }),
    );

    socket.on('disconnect', () => {
      console.log(`${socket.id} left`);
      limiter.forget(socket);
      joinLimiter.forget(socket);
      const user = users.remove(socket.id);
      if (user) announceLeaving(socket, user);
    });
    refuseUnknownEvents(socket);
  });

  // Listen as lesson 02 does, with shared/run.ts: close() ends every socket
  // and the HTTP server; if the port is taken, it closes io and throws.
  return serve(io, httpServer, port);
}

if (require.main === module) runFromCommandLine(start);
