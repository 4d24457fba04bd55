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
import { listen, runFromCommandLine, type RunningLesson } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export async function start(options: StartOptions = {}): Promise<RunningLesson> {
  const { port, intervalMs } = settings(options);
  const app = express();
  app.use(publicFolder(path.join(__dirname, 'public')));

  // Make the HTTP server ourselves, so Socket.IO can be attached to it.
  // (app.listen() would make a second one that Socket.IO knows nothing about.)
  const httpServer = createServer(app);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    maxHttpBufferSize: 1_000, // clients send nothing here (lesson 03)
    // Same port, same origin: no CORS needed. Pages from other sites are refused (lesson 01).
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
  });
  limitEachClient(io); // lesson 04

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
    refuseUnknownEvents(socket); // clients send nothing here (lesson 03)
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
