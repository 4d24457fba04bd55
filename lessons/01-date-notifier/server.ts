// Lesson 01: a date notifier.
// A standalone Socket.IO server, with no web framework, pushes the date to
// every connected client once a second. Its page comes from another port, so
// another origin: CORS and an Origin check decide which pages may connect.
import { Server } from 'socket.io';
import { limitEachClient } from '../../shared/clients';
import { originsFromEnv } from '../../shared/origins';
import { besidePage, servePageOnNextPort } from '../../shared/page-port';
import { runFromCommandLine, type RunningLesson } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export async function start(options: StartOptions = {}): Promise<RunningLesson> {
  const { port, intervalMs } = settings(options);
  const page = await servePageOnNextPort(__dirname, port); // public/ on PORT+1: another origin
  // The pages that may connect: this lesson's, and those in ALLOWED_ORIGINS (* for any).
  const allowed = [...page.origins, ...originsFromEnv()];
  const isAllowed = (origin?: string) => !!origin && (allowed.includes(origin) || allowed.includes('*'));
  const io = new Server<ClientToServerEvents, ServerToClientEvents>({
    // CORS: the browser lets these pages read the answers to Socket.IO's HTTP requests.
    cors: { origin: (origin, callback) => callback(null, isAllowed(origin)) },
    // No CORS for WebSockets: the server checks every connection's Origin (a Node client sends none).
    allowRequest: ({ headers: { origin } }, callback) => callback(null, !origin || isAllowed(origin)),
    maxHttpBufferSize: 1_000, // clients send nothing here (lesson 03)
  });
  io.listen(port); // a standalone server: Socket.IO makes its own HTTP server
  limitEachClient(io); // lesson 04

  io.on('connection', (socket) => {
    console.log(`client ${socket.id} connected`);
    socket.emit('date', { iso: new Date().toISOString() }); // now, not in up to a second
    socket.on('disconnect', (reason) => console.log(`client ${socket.id} left (${reason})`));
    refuseUnknownEvents(socket); // clients send nothing here (lesson 03)
  });
  // Every tick, one io.emit reaches every connected client.
  const timer = setInterval(() => io.emit('date', { iso: new Date().toISOString() }), intervalMs);
  return besidePage(page, io, () => clearInterval(timer)); // close() ends the timer, io and the page
}
if (require.main === module) runFromCommandLine(start);
