// Lesson 02: Socket.IO on an HTTP server.
// One Express app serves the page; Socket.IO is attached to the same HTTP
// server, so the page, its scripts and the sockets all share one port.
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { limitEachClient } from '../../shared/clients';
import { checkOrigin, corsFor } from '../../shared/origins';
import { publicFolder } from '../../shared/public';
import { listen, runFromCommandLine, type RunningLesson, type StartOptions } from '../../shared/run';
import { refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export interface HttpServerOptions extends StartOptions {
  /** Milliseconds between two dates (the tests use a few). */
  intervalMs?: number;
}

export async function start({ port = 0, intervalMs = 1000 }: HttpServerOptions = {}): Promise<RunningLesson> {
  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));

  // Make the HTTP server ourselves, so Socket.IO can be attached to it.
  // (app.listen() would make a second one that Socket.IO knows nothing about.)
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    // Clients send nothing here, so no message needs to be big.
    maxHttpBufferSize: 1_000,
    // Same port, same origin: no CORS. Pages from other sites are refused.
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // per address: a few connections, and nothing piles up unread

  // Everyone hears how many are connected now.
  const sendCount = () => io.emit('clients', { count: io.of('/').sockets.size });

  io.on('connection', (socket) => {
    console.log(`client ${socket.id} connected`);
    // socket.emit: to this one client only.
    socket.emit('event:hello', { id: socket.id });
    socket.emit('date', { iso: new Date().toISOString() });
    sendCount();

    socket.on('disconnect', (reason) => {
      console.log(`client ${socket.id} left (${reason})`);
      sendCount(); // the socket has already left the count
    });
    // Clients send nothing here: whatever one sends is answered with an error.
    refuseUnknownEvents(socket);
  });

  let url: string;
  try {
    url = await listen(httpServer, port);
  } catch (err) {
    await io.close();
    throw err;
  }

  // io.emit: to every connected client.
  const timer = setInterval(() => {
    io.emit('date', { iso: new Date().toISOString() });
  }, intervalMs);

  return {
    url,
    io,
    async close() {
      clearInterval(timer);
      await io.close(); // ends every socket and closes the HTTP server too
    },
  };
}

if (require.main === module) runFromCommandLine(start);
