// The server every lesson from 03 on starts with, in one call: what lessons
// 01, 02 and 04 built by hand.
//
//   const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname);
//
// - an Express app serving the lesson's public/ folder, on an HTTP server of
//   our own that Socket.IO is attached to (lesson 02);
// - the Origin check, and CORS for the pages in ALLOWED_ORIGINS (lesson 01);
// - a small largest message, 4 KB unless the lesson says (lesson 03);
// - per-address limits: a few connections, nothing piles up unread (lesson 04);
// - `listen(port)`: the running lesson, whose close() ends everything (lesson 02).
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { Server, type ServerOptions } from 'socket.io';
import type { DefaultEventsMap, EventsMap } from 'socket.io/dist/typed-events';
import { limitEachClient } from './clients';
import { checkOrigin, corsFor } from './origins';
import { publicFolder } from './public';
import { serve, type RunningLesson } from './run';

/** The page's libraries, served from node_modules: no CDN, so a lesson works offline. */
const VENDOR = {
  mustache: 'mustache/mustache.min.js',
  moment: 'moment/min/moment.min.js',
} as const;

export interface LessonServerOptions extends Partial<ServerOptions> {
  /** Libraries the page loads from /vendor/NAME.js (lesson 08). */
  vendor?: (keyof typeof VENDOR)[];
}

/** I and D: the events between servers, and what a socket carries in `socket.data` (lesson 13). */
export interface LessonServer<C extends EventsMap, S extends EventsMap, I extends EventsMap = DefaultEventsMap, D = any> {
  app: express.Express;
  httpServer: HttpServer;
  io: Server<C, S, I, D>;
  /** Listens on `port`; close() on what it returns ends every socket and the server. */
  listen(port: number): Promise<RunningLesson>;
}

/** An Express app and a Socket.IO server for the lesson in `dir`, with the workbook's protections. */
export function lessonServer<C extends EventsMap, S extends EventsMap, I extends EventsMap = DefaultEventsMap, D = any>(
  dir: string,
  { vendor = [], ...options }: LessonServerOptions = {},
): LessonServer<C, S, I, D> {
  const app = express();
  app.use(publicFolder(path.join(dir, 'public')));
  for (const name of vendor) {
    app.get(`/vendor/${name}.js`, (req, res) => res.sendFile(require.resolve(VENDOR[name])));
  }
  const httpServer = createServer(app);
  const io = new Server<C, S, I, D>(httpServer, {
    maxHttpBufferSize: 4_000, // a message is at most 500 characters: 4 KB is plenty, even in emoji
    allowRequest: checkOrigin,
    cors: corsFor(), // pages listed in ALLOWED_ORIGINS may poll too
    ...options,
  });
  limitEachClient(io);
  return { app, httpServer, io, listen: (port) => serve(io, httpServer, port) };
}
