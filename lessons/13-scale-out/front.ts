// Lesson 13: the front port, in the primary. It reads the head of each
// connection's request (its line and headers), finds the session id in the request line
// (`/socket.io/?EIO=4&transport=polling&sid=…`), and hands the connection
// itself to the worker that holds that session, or to the least busy one for
// a new session. The worker reads the rest, and answers each request with
// `Connection: close` (sticky's setupWorker), so one connection carries one
// request, and the next one is routed again.
//
// This is @socket.io/sticky's setupMaster, cut down. Sticky keeps a
// connection whose request has a body (a POST) in the primary and relays
// every chunk to the worker over IPC, with no limit: one client that sends a
// never-ending body fills the primary's memory, and a WebSocket opened that
// way runs through the primary for good. Here the primary only ever reads
// the head, then hands the connection over, so the worker's own limits
// (Socket.IO's maxHttpBufferSize, lesson 10's limits per client) apply to all
// of it.
import type { Worker } from 'node:cluster';
import { createServer, type Server, type Socket } from 'node:net';
import { clientKey, limitsFromEnv } from '../../shared/clients';

/**
 * A connection that sends nothing for this long is closed: it holds a file
 * descriptor of the primary's. As long as a worker gives a request to send
 * its headers (HEADERS_TIMEOUT_MS, 5 s by default: shared/clients.ts).
 */
export const firstBytesMsFromEnv = () => limitsFromEnv().headersTimeoutMs;
/** Connections one address may have waiting in the primary for their first bytes. */
export const WAITING_PER_ADDRESS = 50;
const UNAVAILABLE = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
/** A head (request line and headers) longer than this is handed over as it is: the worker refuses it (431; Node's limit is 16 KB). */
const MAX_HEAD = 17 * 1024;

/**
 * The front server. `pick` names the worker for a request: the one holding
 * session `sid`, or, for none (or a session nobody holds), the least busy;
 * undefined when no worker takes connections (then the client gets a 503).
 */
export function frontPort(
  pick: (sid: string | undefined) => Pick<Worker, 'send'> | undefined,
  { firstBytesMs = firstBytesMsFromEnv(), waitingPerAddress = WAITING_PER_ADDRESS } = {},
): Server {
  const waiting = new Map<string, number>(); // address → connections waiting for their first bytes
  const front = createServer((socket) => {
    const address = clientKey(socket.remoteAddress ?? 'unknown'); // as the workers key a client: IPv6 by its /64
    const count = (waiting.get(address) ?? 0) + 1;
    socket.on('error', () => {}); // a client that resets is its own business
    if (count > waitingPerAddress) return void socket.destroy();
    waiting.set(address, count);
    let done = false;
    const stopWaiting = () => {
      if (done) return;
      done = true;
      const left = (waiting.get(address) ?? 1) - 1;
      if (left === 0) waiting.delete(address);
      else waiting.set(address, left);
    };
    // From its first byte, not since its last: a byte a second keeps no connection here.
    const timer = setTimeout(() => socket.destroy(), firstBytesMs);
    socket.once('close', () => (clearTimeout(timer), stopWaiting()));
    // The whole head, request line (where the session id is) and headers: a
    // connection that sends half of it and stops waits here, counted against
    // its address, and is never handed to a worker (each handover is an IPC
    // message, which a classmate's connection would queue behind).
    let data: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      const from = Math.max(0, data.length - 3); // "\r\n\r\n" may straddle two chunks
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      if (data.indexOf('\r\n\r\n', from) === -1 && data.length < MAX_HEAD) return;
      socket.off('data', onData);
      clearTimeout(timer);
      stopWaiting();
      const worker = pick(sessionIdOf(data));
      if (!worker) return void socket.end(UNAVAILABLE, () => socket.destroy());
      stopReading(socket); // nothing more is read here: the rest is the worker's
      // The worker's setupWorker takes it from here: it replays `data`, then reads on.
      worker.send({ type: 'sticky:connection', data }, socket, (err) => err && socket.destroy());
    };
    socket.on('data', onData);
  });
  return front;
}

/**
 * Stops reading from the connection at once. pause() alone only stops the
 * 'data' events: Node would go on reading into the stream's buffer, and
 * what it read there would be lost when the connection moves to the worker
 * (a POST's body, say, sent after its headers). The handle's readStop()
 * leaves it in the kernel, for the worker to read.
 */
function stopReading(socket: Socket): void {
  socket.pause();
  (socket as unknown as { _handle?: { readStop?(): number } })._handle?.readStop?.();
}

/** The Engine.IO session id in a request's first line, if any. */
export function sessionIdOf(chunk: Buffer): string | undefined {
  const end = chunk.indexOf('\r\n');
  const requestLine = chunk.subarray(0, end === -1 ? Math.min(chunk.length, 2048) : end).toString('latin1');
  return /[?&]sid=([\w-]{20})(?:[&\s]|$)/.exec(requestLine)?.[1];
}
