// How every lesson listens, reports its address and shuts down.
// Each lesson's server.ts exports `start(options)`; the tests call it with
// port 0, and `runFromCommandLine` calls it when you run the lesson.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Server as SocketServer } from 'socket.io';
import { guardConnections } from './clients';
import type { StartOptions } from './settings';

export type { StartOptions };

export interface RunningLesson {
  /** Where the Socket.IO server listens, e.g. http://localhost:3000 */
  url: string;
  /** The page to open in a browser, when it is not `url` itself (lesson 01). */
  pageUrl?: string;
  /** What each port is for, printed under "listening on", for a lesson with more than one (lesson 01). */
  ports?: string[];
  /** The Socket.IO server, for tests that look inside (rooms, listeners). */
  io?: SocketServer<any, any, any, any>;
  /** Ends every socket, timer and server the lesson opened. */
  close(): Promise<void>;
}

export type StartLesson = (options: StartOptions) => Promise<RunningLesson>;

/** Starts an HTTP server listening and resolves with its URL. */
export function listen(server: HttpServer, port: number): Promise<string> {
  server.listen(port);
  return listening(server);
}

/**
 * Resolves with the URL once a server is listening; rejects if it cannot (say,
 * the port is taken). An HTTP server gets the limits on raw connections per
 * address (guardConnections, shared/clients.ts).
 */
export function listening(server: NetServer): Promise<string> {
  endConnectionsOnClose(server);
  if (isHttpServer(server)) guardConnections(server);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(`http://localhost:${(server.address() as AddressInfo).port}`);
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}

/** True for an HTTP server (Express's, Socket.IO's own), not a plain TCP one (lesson 13's front). */
const isHttpServer = (server: NetServer): server is HttpServer => typeof (server as HttpServer).headersTimeout === 'number';

/**
 * `close()` stops a server listening, then waits for its connections to end.
 * A browser opens connections ahead of time and may never send anything on
 * one; the server would wait up to a minute for it. Here `close()` (which
 * io.close() calls last) also ends them, so a lesson stops at once.
 */
function endConnectionsOnClose(server: NetServer): void {
  const http = server as HttpServer;
  if (typeof http.closeAllConnections !== 'function') return;
  const close = http.close.bind(http);
  http.close = (callback?: (err?: Error) => void) => {
    close(callback);
    http.closeAllConnections();
    return http;
  };
}

/**
 * Listens on `port` and returns the lesson's handle, as lesson 02 does by
 * hand: `close()` closes io, which ends every socket and the HTTP server.
 * If the port is taken, it closes io and throws.
 */
export async function serve(
  io: SocketServer<any, any, any, any>,
  httpServer: HttpServer,
  port: number,
): Promise<RunningLesson> {
  let url: string;
  try {
    url = await listen(httpServer, port);
  } catch (err) {
    await io.close();
    throw err;
  }
  return { url, io, close: () => io.close() };
}

/** Reads PORT from the environment: a whole number from 0 to 65535, default 3000. */
export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.PORT ?? '3000';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, not "${text}"`);
  }
  return port;
}

/**
 * Runs a lesson as a program: listens on PORT, prints where, and stops
 * cleanly on Ctrl-C (SIGINT) or SIGTERM.
 */
export async function runFromCommandLine(start: StartLesson): Promise<void> {
  let port: number;
  let lesson: RunningLesson;
  try {
    port = portFromEnv();
    lesson = await start({ port });
  } catch (err) {
    console.error(describeStartError(err));
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return; // Ctrl-C, then a SIGTERM from the program that ran it (npm start --watch)
    stopping = true;
    console.log('\nstopping…');
    // A second Ctrl-C, or a close that hangs, ends the process at once.
    setTimeout(() => process.exit(0), 2000).unref();
    process.once('SIGINT', () => process.exit(0));
    lesson.close().then(() => process.exit(0));
  };
  // Before saying "listening": a program that waits for that line, then
  // stops the server, must find the clean stop in place.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  console.log(`listening on ${lesson.url}`);
  for (const line of lesson.ports ?? []) console.log(`  ${line}`);
  console.log(`open ${lesson.pageUrl ?? lesson.url} in your browser (Ctrl-C stops the server)`);
}

function describeStartError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const port = (err as { port?: number })?.port ?? process.env.PORT ?? 3000;
  if (code === 'EADDRINUSE') {
    return `Port ${port} is already in use (is a lesson already running in another terminal?). Stop that program, or choose another port: PORT=4000 npm start`;
  }
  if (code === 'EACCES') {
    return `Port ${port} needs more permissions than you have. Choose a port above 1023: PORT=4000 npm start`;
  }
  return err instanceof Error ? err.message : String(err);
}
