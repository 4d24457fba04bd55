// Lesson 05: the classic chat.
// A page with a form sends `chat message`; the server passes it on to every
// connected client with io.emit, the sender included.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { limitEachClient } from '../../shared/clients';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { CHAT_RATE_LIMIT, RATE_LIMITED, ClientRateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { runFromCommandLine, serve, type RunningLesson, type StartOptions } from '../../shared/run';
import { checkOne, checkText, refuseUnknownEvents, takeAck, type Reply } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export interface ChatOptions extends StartOptions {
  /** How many messages a socket may send (the tests use a tighter limit). */
  rateLimit?: RateLimitOptions;
}

export async function start({ port = 0, rateLimit = CHAT_RATE_LIMIT }: ChatOptions = {}): Promise<RunningLesson> {
  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    // A message is at most 500 characters: a few KB is plenty.
    maxHttpBufferSize: 4_000,
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread
  const limiter = new ClientRateLimiter(rateLimit);

  io.on('connection', (socket) => {
    // A socket id is long and random; its first 6 characters make a good enough name.
    const from = socket.id.slice(0, 6);
    console.log(`${from} connected`);

    socket.on('chat message', (...args: unknown[]) => {
      const { payload, ack } = takeAck<Reply>(args);
      const text = checkOne(payload, checkText);
      if (!text.ok) {
        ack?.({ ok: false, error: text.error });
        return;
      }
      if (!limiter.take(socket)) {
        ack?.({ ok: false, error: RATE_LIMITED });
        return;
      }
      console.log(`${from}: ${JSON.stringify(text.value)}`);
      // io.emit: to every connected client, the sender included.
      io.emit('chat message', { from, text: text.value });
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

if (require.main === module) runFromCommandLine(start);
