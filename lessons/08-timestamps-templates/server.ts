// Lesson 08: timestamps and templates.
// The chat of lesson 07. The server is the same, but for two routes: the page
// now uses Mustache and Moment, and the server hands them out from node_modules.
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
  const { app, io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname);
  // New: the page's libraries, from node_modules (no CDN: the chat works offline).
  app.get('/vendor/mustache.js', (req, res) => res.sendFile(require.resolve('mustache/mustache.min.js')));
  app.get('/vendor/moment.js', (req, res) => res.sendFile(require.resolve('moment/min/moment.min.js')));
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04
  const arrivals = new RateLimiter(ARRIVAL_RATE_LIMIT); // per address, so a connect loop cannot spam everyone

  io.on('connection', (socket) => {
    // No names yet (lesson 09 adds them): the first 6 characters of the socket id.
    const from = socket.id.slice(0, 6);
    console.log(`${from} connected`);
    socket.emit('newMessage', generateMessage(ADMIN, 'Welcome to the chat!'));
    if (arrivals.take(addressOf(socket))) {
      socket.broadcast.emit('newMessage', generateMessage(ADMIN, 'A new user joined'));
    }

    socket.on('createMessage', checked(checkMessagePayload, limiter.of(socket), ({ text }, ack) => {
      io.emit('newMessage', generateMessage(from, text));
      ack({ ok: true });
    }));

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
