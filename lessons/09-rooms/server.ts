// Lesson 09: rooms.
// The chat of lesson 08, split into rooms. A socket joins a room under a name
// (`join`), and from then on its messages reach that room only.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { addressOf, limitEachClient } from '../../shared/clients';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import {
  ARRIVAL_RATE_LIMIT,
  CHAT_RATE_LIMIT,
  ClientRateLimiter,
  RATE_LIMITED,
  RateLimiter,
  type RateLimitOptions,
} from '../../shared/rate-limit';
import { checkJoin, roomFull, roomSizeFromEnv, type JoinReply } from '../../shared/room-events';
import { runFromCommandLine, serve, type RunningLesson, type StartOptions } from '../../shared/run';
import {
  checkCoordinates,
  checkMessagePayload,
  checkOne,
  refuseUnknownEvents,
  takeAck,
  type Checked,
  type Reply,
} from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events';

export interface RoomsOptions extends StartOptions {
  /** How many messages a socket may send (the tests use a tighter limit). */
  rateLimit?: RateLimitOptions;
  /** The most people in a room (default MAX_ROOM_SIZE from the environment, or 500). */
  maxRoomSize?: number;
}

export const NOT_JOINED = 'join a room first';

/**
 * The Socket.IO room for a chat room. Every socket is also in a room named
 * by its own id: the prefix keeps a chat room called like an id apart.
 */
export const channel = (room: string) => `room:${room}`;

export async function start({
  port = 0,
  rateLimit = CHAT_RATE_LIMIT,
  maxRoomSize = roomSizeFromEnv(),
}: RoomsOptions = {}): Promise<RunningLesson> {
  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  // The page's libraries, from node_modules: no CDN, so the chat works offline.
  app.get('/vendor/mustache.js', (req, res) => res.sendFile(require.resolve('mustache/mustache.min.js')));
  app.get('/vendor/moment.js', (req, res) => res.sendFile(require.resolve('moment/min/moment.min.js')));

  const httpServer = createServer(app);
  // The four types: events clients send, events the server sends, events between
  // servers (none: one server), and socket.data, what the server remembers about
  // a socket. Partial: socket.data is empty until `join` succeeds.
  const io = new Server<ClientToServerEvents, ServerToClientEvents, {}, Partial<SocketData>>(httpServer, {
    // A message is at most 500 characters: a few KB is plenty.
    maxHttpBufferSize: 4_000,
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread
  const limiter = new ClientRateLimiter(rateLimit);
  const arrivals = new RateLimiter(ARRIVAL_RATE_LIMIT); // per address, so a connect loop cannot spam a room

  io.on('connection', (socket) => {
    console.log(`${socket.id} connected`);

    socket.on('join', (...args: unknown[]) => {
      const { payload, ack } = takeAck<JoinReply>(args);
      if (!ack) return; // the contract asks for an acknowledgement: without one, drop it
      const checked = checkOne(payload, checkJoin);
      if (!checked.ok) return ack({ ok: false, error: checked.error });
      if (socket.data.room !== undefined) {
        return ack({ ok: false, error: `already in room "${socket.data.room}": go back to the join page to change rooms` });
      }
      const { name, room } = checked.value;
      const people = io.of('/').adapter.rooms.get(channel(room))?.size ?? 0;
      if (people >= maxRoomSize) return ack({ ok: false, error: roomFull(room, maxRoomSize) });
      socket.data = { name, room }; // from now on, the server says who this is
      socket.join(channel(room));
      ack({ ok: true, name, room });
      // socket.emit: the newcomer only. socket.to(room): the others in the room.
      socket.emit('newMessage', generateMessage(ADMIN, `Welcome to ${room}, ${name}!`));
      if (arrivals.take(addressOf(socket))) {
        socket.to(channel(room)).emit('newMessage', generateMessage(ADMIN, `${name} has joined`));
      }
    });

    /**
     * Every chat event takes the same steps: split off the acknowledgement,
     * make sure the socket has joined, check the payload, apply the rate
     * limit, send, answer.
     */
    function handle<T>(check: (value: unknown) => Checked<T>, send: (value: T, sender: SocketData) => void) {
      return (...args: unknown[]) => {
        const { payload, ack } = takeAck<Reply>(args);
        if (!ack) return;
        const { name, room } = socket.data;
        if (name === undefined || room === undefined) return ack({ ok: false, error: NOT_JOINED });
        const checked = checkOne(payload, check);
        if (!checked.ok) return ack({ ok: false, error: checked.error });
        if (!limiter.take(socket)) return ack({ ok: false, error: RATE_LIMITED });
        send(checked.value, { name, room });
        ack({ ok: true });
      };
    }

    // io.to(room): everyone in the room, the sender too. Nobody else.
    socket.on(
      'createMessage',
      handle(checkMessagePayload, ({ text }, { name, room }) => {
        io.to(channel(room)).emit('newMessage', generateMessage(name, text));
      }),
    );
    socket.on(
      'createLocationMessage',
      handle(checkCoordinates, ({ latitude, longitude }, { name, room }) => {
        io.to(channel(room)).emit('newLocationMessage', generateLocationMessage(name, latitude, longitude));
      }),
    );

    socket.on('disconnect', () => {
      console.log(`${socket.id} left`);
      limiter.forget(socket);
    });
    refuseUnknownEvents(socket);
  });

  // Listen as lesson 02 does, with shared/run.ts: close() ends every socket
  // and the HTTP server; if the port is taken, it closes io and throws.
  return serve(io, httpServer, port);
}

if (require.main === module) runFromCommandLine(start);
