// Lesson 04: broadcasting.
// A client speaks to an audience (`me`, `everyone` or `others`) and the
// server passes the message on to exactly that audience, with one of
// socket.emit, io.emit and socket.broadcast.emit.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { limitEachClient } from '../../shared/clients';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { CHAT_RATE_LIMIT, RATE_LIMITED, ClientRateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { runFromCommandLine, serve, type RunningLesson, type StartOptions } from '../../shared/run';
import { checkFields, checkOne, checkText, refuseUnknownEvents, takeAck, type Checked, type Reply } from '../../shared/validation';
import { AUDIENCES, type Audience, type ClientToServerEvents, type ServerToClientEvents, type Speech } from './events';

export interface BroadcastOptions extends StartOptions {
  /** How many messages a socket may send (the tests use a tighter limit). */
  rateLimit?: RateLimitOptions;
}

export async function start({ port = 0, rateLimit = CHAT_RATE_LIMIT }: BroadcastOptions = {}): Promise<RunningLesson> {
  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    // A message is at most 500 characters: 4 KB is plenty.
    maxHttpBufferSize: 4_000,
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread
  // A message to everyone reaches everyone: one client may not flood them.
  const limiter = new ClientRateLimiter(rateLimit);

  io.on('connection', (socket) => {
    // A socket id is long and random; its first 6 characters make a good enough name.
    const from = socket.id.slice(0, 6);
    console.log(`${from} connected`);

    socket.on('speak', (...args: unknown[]) => {
      const { payload, ack } = takeAck<Reply>(args);
      const speech = checkOne(payload, checkSpeech);
      if (!speech.ok) {
        ack?.({ ok: false, error: speech.error });
        return;
      }
      if (!limiter.take(socket)) {
        ack?.({ ok: false, error: RATE_LIMITED });
        return;
      }
      const message = { from, text: speech.value.text };
      switch (speech.value.to) {
        case 'me': // this client only
          socket.emit('incoming-message', message);
          break;
        case 'everyone': // every client, the sender included
          io.emit('incoming-message', message);
          break;
        case 'others': // every client except the sender
          socket.broadcast.emit('incoming-message', message);
          break;
      }
      ack?.({ ok: true });
    });

    socket.on('disconnect', () => {
      console.log(`${from} left`);
      limiter.forget(socket);
    });
    refuseUnknownEvents(socket);
  });

  // Listen as lesson 02 does, with shared/run.ts: close() ends every socket
  // and the HTTP server; if the port is taken, it closes io and throws.
  return serve(io, httpServer, port);
}

const isAudience = (value: unknown): value is Audience => AUDIENCES.some((audience) => audience === value);

/** Checks `{ text, to }`: real text, and one of the three audiences. No other fields. */
function checkSpeech(value: unknown): Checked<Speech> {
  const object = checkFields(value, ['text', 'to']);
  if (!object.ok) return object;
  const text = checkText(object.value.text);
  if (!text.ok) return text;
  const to = object.value.to;
  if (!isAudience(to)) return { ok: false, error: `to must be one of ${AUDIENCES.map((name) => `"${name}"`).join(', ')}` };
  return { ok: true, value: { text: text.value, to } };
}

if (require.main === module) runFromCommandLine(start);
