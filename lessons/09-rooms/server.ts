// Lesson 09: rooms.
// The chat of lesson 08, split into rooms. A socket joins a room under a name
// (`join`), the server keeps both in `socket.data`, and from then on the
// socket's messages reach that room only, under that name.
import { ADMIN } from '../../shared/chat-events';
import { addressOf } from '../../shared/clients';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { ARRIVAL_RATE_LIMIT, ClientRateLimiter, RateLimiter } from '../../shared/rate-limit';
import { checkJoin, roomFull } from '../../shared/room-events';
import { runFromCommandLine } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { checkCoordinates, checkMessagePayload, refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events';

export async function start(options: StartOptions = {}) {
  const { port, rateLimit, maxRoomSize } = settings(options);
  // The third type is what socket.data holds. Partial: it is empty until `join` succeeds.
  const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents, Partial<SocketData>>(__dirname, {
    vendor: ['mustache', 'moment'],
  });
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04
  const arrivals = new RateLimiter(ARRIVAL_RATE_LIMIT); // per address, so a connect loop cannot spam a room

  io.on('connection', (socket) => {
    console.log(`${socket.id} connected`);

    // No rate limit (null): a socket joins once.
    socket.on('join', checked(checkJoin, null, ({ name, room }, ack) => {
      if (socket.data.room !== undefined) {
        return ack({ ok: false, error: `already in room "${socket.data.room}": go back to the join page to change rooms` });
      }
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
    }));

    // Every message carries the name and room the server stored for this socket.
    // io.to(room): everyone in the room, the sender too. Nobody else.
    socket.on('createMessage', checked(checkMessagePayload, limiter.of(socket), ({ text }, ack) => {
      const { name, room } = socket.data;
      if (name === undefined || room === undefined) return ack({ ok: false, error: NOT_JOINED });
      io.to(channel(room)).emit('newMessage', generateMessage(name, text));
      ack({ ok: true });
    }));

    socket.on('createLocationMessage', checked(checkCoordinates, limiter.of(socket), ({ latitude, longitude }, ack) => {
      const { name, room } = socket.data;
      if (name === undefined || room === undefined) return ack({ ok: false, error: NOT_JOINED });
      io.to(channel(room)).emit('newLocationMessage', generateLocationMessage(name, latitude, longitude));
      ack({ ok: true });
    }));

    socket.on('disconnect', () => {
      console.log(`${socket.id} left`);
    });
    refuseUnknownEvents(socket); // lesson 03
  });

  return listen(port);
}

export const NOT_JOINED = 'join a room first';

/**
 * The Socket.IO room for a chat room. Every socket is also in a room named
 * by its own id: the prefix keeps a chat room called like an id apart.
 */
export const channel = (room: string) => `room:${room}`;

if (require.main === module) runFromCommandLine(start);
