// Lesson 07: geolocation.
// The chat of lesson 06, plus a second event: `createLocationMessage` takes
// coordinates from the browser and sends everyone a link to a map.
import { ADMIN } from '../../shared/chat-events';
import { addressOf } from '../../shared/clients';
import { checked } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { generateLocationMessage, generateMessage } from '../../shared/message-generator';
import { ARRIVAL_RATE_LIMIT, ClientRateLimiter, RateLimiter } from '../../shared/rate-limit';
import { runFromCommandLine } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { checkCoordinates, checkMessagePayload, refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export async function start(options: StartOptions = {}) {
  const { port, rateLimit } = settings(options);
  const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname);
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04
  const arrivals = new RateLimiter(ARRIVAL_RATE_LIMIT); // per address, so a connect loop cannot spam everyone

  io.on('connection', (socket) => {
    const from = socket.id.slice(0, 6); // no names yet: a short socket id
    console.log(`${from} connected`);
    socket.emit('newMessage', generateMessage(ADMIN, 'Welcome to the chat!'));
    if (arrivals.take(addressOf(socket))) {
      socket.broadcast.emit('newMessage', generateMessage(ADMIN, 'A new user joined'));
    }

    socket.on('createMessage', checked(checkMessagePayload, limiter.of(socket), ({ text }, ack) => {
      io.emit('newMessage', generateMessage(from, text));
      ack({ ok: true });
    }));

    // New: coordinates in, a link to a map out. Same steps, another check.
    socket.on('createLocationMessage', checked(checkCoordinates, limiter.of(socket), ({ latitude, longitude }, ack) => {
      io.emit('newLocationMessage', generateLocationMessage(from, latitude, longitude));
      ack({ ok: true });
    }));

    socket.on('disconnect', () => {
      console.log(`${from} left`);
    });
    refuseUnknownEvents(socket); // lesson 03
  });

  return listen(port);
}

if (require.main === module) runFromCommandLine(start);
