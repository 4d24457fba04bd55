// Lesson 06: the message generator.
// The chat of lesson 05 with its events renamed: `createMessage` in, and
// `newMessage` out, built by generateMessage in shared/message-generator.ts.
// Newcomers get a welcome; everyone else hears that someone joined.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { ADMIN } from '../../shared/chat-events';
import { addressOf, limitEachClient } from '../../shared/clients';
import { generateMessage } from '../../shared/message-generator';
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
import { runFromCommandLine, serve, type RunningLesson, type StartOptions } from '../../shared/run';
import { checkMessagePayload, checkOne, refuseUnknownEvents, takeAck, type Reply } from '../../shared/validation';
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
  const arrivals = new RateLimiter(ARRIVAL_RATE_LIMIT); // per address, so a connect loop cannot spam everyone

  io.on('connection', (socket) => {
    const from = socket.id.slice(0, 6); // no names yet: a short socket id
    console.log(`${from} connected`);
    // socket.emit: the newcomer only. socket.broadcast.emit: everyone else.
    socket.emit('newMessage', generateMessage(ADMIN, 'Welcome to the chat!'));
    if (arrivals.take(addressOf(socket))) {
      socket.broadcast.emit('newMessage', generateMessage(ADMIN, 'A new user joined'));
    }

    socket.on('createMessage', (...args: unknown[]) => {
      const { payload, ack } = takeAck<Reply>(args);
      if (!ack) return; // the contract asks for an acknowledgement: without one, drop it
      const checked = checkOne(payload, checkMessagePayload);
      if (!checked.ok) return ack({ ok: false, error: checked.error });
      if (!limiter.take(socket)) return ack({ ok: false, error: RATE_LIMITED });
      // The server decides who sent it and when: the client sends only { text }.
      io.emit('newMessage', generateMessage(from, checked.value.text));
      ack({ ok: true });
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
