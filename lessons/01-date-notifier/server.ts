// Lesson 01: a date notifier.
// A Socket.IO server on a port of its own, with no web framework. Once a
// second it pushes the date to every connected client.
import path from 'node:path';
import { Server } from 'socket.io';
import { limitEachClient } from '../../shared/clients';
import { corsFor, originCheck } from '../../shared/origins';
import { servePage } from '../../shared/public';
import { listening, runFromCommandLine, type RunningLesson, type StartOptions } from '../../shared/run';
import { refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export interface DateNotifierOptions extends StartOptions {
  /** Milliseconds between two dates (the tests use a few). */
  intervalMs?: number;
}

// `start` returns `close()`, so `npm start` and the tests can stop it; see shared/run.ts.
export async function start({ port = 0, intervalMs = 1000 }: DateNotifierOptions = {}): Promise<RunningLesson> {
  // The page is served from another port, PORT+1: to the browser, another
  // site, just like a page opened from disk. (Compare lesson 02.)
  const page = await servePage(path.join(__dirname, 'public'), port === 0 ? 0 : port + 1).catch((err) => {
    throw explainPagePort(err, port);
  });
  const pageOrigins = [page.url, page.url.replace('localhost', '127.0.0.1')];

  const io = new Server<ClientToServerEvents, ServerToClientEvents>({
    // CORS: browsers let pages from these origins read Socket.IO's HTTP answers.
    cors: corsFor(pageOrigins),
    // Browsers apply no CORS to WebSockets, so the server checks the Origin
    // of every connection itself.
    allowRequest: originCheck(pageOrigins),
    // Clients send nothing here, so no message needs to be big. (Lesson 03
    // explains this limit.)
    maxHttpBufferSize: 1_000,
  });
  io.listen(port); // a standalone server: Socket.IO makes its own HTTP server
  limitEachClient(io); // per address: a few connections, and nothing piles up unread
  let url: string;
  try {
    url = await listening(io.httpServer);
  } catch (err) {
    await page.close();
    throw err;
  }

  io.on('connection', (socket) => {
    console.log(`client ${socket.id} connected`);
    // The newcomer gets the date at once, not in up to a second.
    socket.emit('date', { iso: new Date().toISOString() });
    socket.on('disconnect', (reason) => console.log(`client ${socket.id} left (${reason})`));
    // Clients send nothing here: whatever one sends is answered with an error
    // acknowledgement. (Lesson 03 explains both.)
    refuseUnknownEvents(socket);
  });

  // Every tick, one emit reaches every connected client.
  const timer = setInterval(() => {
    io.emit('date', { iso: new Date().toISOString() });
  }, intervalMs);

  return {
    url,
    pageUrl: `${page.url}/?server=${encodeURIComponent(url)}`,
    ports: [`Socket.IO on ${url} (PORT)`, `the page on ${page.url} (PORT+1: another origin, as a page opened from disk would be)`],
    io,
    async close() {
      clearInterval(timer);
      await io.close();
      await page.close();
    },
  };
}

/** PORT+1 taken, or past 65535: says which port that is, and why the lesson wants it. */
function explainPagePort(err: NodeJS.ErrnoException, port: number): Error {
  const why = `Lesson 01 serves its page on a second port, PORT+1, so that the page comes from another origin than Socket.IO`;
  if (err.code === 'EADDRINUSE') {
    return new Error(`Port ${port + 1} (PORT+1) is already in use. ${why}. Stop the program using port ${port + 1}, or choose another PORT: PORT=4000 npm start -- 01 uses 4000 and 4001.`);
  }
  if (err.code === 'ERR_SOCKET_BAD_PORT') return new Error(`${why}: PORT can be at most 65534, not ${port}.`);
  return err;
}

if (require.main === module) runFromCommandLine(start);
