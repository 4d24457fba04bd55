// Limits on each client, whatever it sends or fails to read.
// A client is a machine, known by its address (an IPv6 one by its /64): one
// student's laptop may open many connections, so a limit per socket alone is
// not enough.
//
// 1. At most MAX_CONNECTIONS_PER_ADDRESS connections from one address.
// 2. At most MAX_WAITING_PACKETS messages (or MAX_WAITING_BYTES) waiting for a
//    client that does not read them. Socket.IO keeps what it cannot send yet;
//    without a cap, a client that never reads makes the server hold more and
//    more, until it runs out of memory. Over the cap, the client is cut off.
// 3. At most MAX_TCP_CONNECTIONS_PER_ADDRESS connections of any kind from one
//    address, counted from their first byte, and HEADERS_TIMEOUT_MS for a
//    request to send its headers. A connection that sends half a request line
//    and stops is no Engine.IO connection yet: without these, Node would keep
//    each one for a minute, and one laptop could use up the server's files.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { isIPv4, isIPv6, type Socket as TcpSocket } from 'node:net';
import type { Server } from 'socket.io';

export interface ClientLimits {
  /** Connections one address may hold open at once. */
  connectionsPerAddress: number;
  /** Messages waiting for one client before it is cut off. */
  waitingPackets: number;
  /** Bytes waiting for one client before it is cut off. */
  waitingBytes: number;
  /** TCP connections one address may hold open at once, whatever they are (see guardConnections). */
  tcpConnectionsPerAddress: number;
  /** How long a request may take to send its headers before its connection is closed. */
  headersTimeoutMs: number;
}

/**
 * A classroom of 300 has one or two tabs per laptop: 20 connections per
 * address is plenty. Behind a shared address (a school's NAT, a proxy), raise
 * it: MAX_CONNECTIONS_PER_ADDRESS=500 npm start -- 10
 */
export const DEFAULT_LIMITS: ClientLimits = {
  connectionsPerAddress: 20,
  waitingPackets: 10_000, // a burst of 1,000 requests gets 1,000 answers at once: that is not a client that does not read
  waitingBytes: 1_000_000,
  // Each Socket.IO connection may take two (a long-polling GET and a POST), and a page loads its files on a few more.
  tcpConnectionsPerAddress: 2 * 20 + 10,
  headersTimeoutMs: 5_000, // a browser sends its headers at once; a slow Wi-Fi takes a second
};

export const TOO_MANY_CONNECTIONS = 'too many connections from your address: close some tabs and try again';

/**
 * The limits, with MAX_CONNECTIONS_PER_ADDRESS, MAX_WAITING_PACKETS,
 * MAX_WAITING_BYTES, MAX_TCP_CONNECTIONS_PER_ADDRESS (default: twice the
 * connections, and 10) and HEADERS_TIMEOUT_MS from the environment.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientLimits {
  const read = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a whole number above 0, not "${text}"`);
    return Number(text);
  };
  const connectionsPerAddress = read('MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_LIMITS.connectionsPerAddress);
  return {
    connectionsPerAddress,
    waitingPackets: read('MAX_WAITING_PACKETS', DEFAULT_LIMITS.waitingPackets),
    waitingBytes: read('MAX_WAITING_BYTES', DEFAULT_LIMITS.waitingBytes),
    tcpConnectionsPerAddress: read('MAX_TCP_CONNECTIONS_PER_ADDRESS', 2 * connectionsPerAddress + 10),
    headersTimeoutMs: read('HEADERS_TIMEOUT_MS', DEFAULT_LIMITS.headersTimeoutMs),
  };
}

/**
 * The client's address, from a socket or a request: the machine it connects
 * from, whatever the socket. This is the one place a client gets its key:
 * - IPv4: the address. A server that listens on IPv6 as well sees an IPv4
 *   client as `::ffff:127.0.0.1`: that is 127.0.0.1.
 * - IPv6: the first half, its /64 (`2001:db8:aa:1::/64`). A network gives
 *   each host a whole /64, and the host may use any address in it (a new
 *   one a minute, for privacy): keyed by the exact address, one laptop
 *   could take any number of shares.
 */
export function addressOf(from: { handshake: { address: string } } | IncomingMessage): string {
  return clientKey(('handshake' in from ? from.handshake.address : from.socket.remoteAddress) || 'unknown');
}

/** The key of a client at `address` (see addressOf); what is not an IP address stays as it is. */
export function clientKey(address: string): string {
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address.replace(/%.*$/, '')); // fe80::1%eth0: the zone is not part of the address
  if (!groups) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.'); // IPv4 in IPv6
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The 8 numbers of an IPv6 address ("2001:db8::1", "::ffff:1.2.3.4"), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number); // a last group written as IPv4
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = address.split('::');
  if (tail === undefined) return parse(head);
  const [before, after] = [parse(head), parse(tail)];
  return [...before, ...Array(8 - before.length - after.length).fill(0), ...after];
}

/**
 * Applies the limits to `io`. Call it once, right after `new Server(...)`:
 * it wraps the server's `allowRequest` (the origin check keeps working).
 */
export function limitEachClient(io: Server<any, any, any, any>, limits: ClientLimits = limitsFromEnv()): void {
  const open = new Map<string, number>(); // connections per address
  const warned = new Map<string, number>(); // when each address was last logged: once a minute at most

  const allowRequest = io.engine.opts.allowRequest;
  io.engine.opts.allowRequest = (req, callback) => {
    if ((open.get(addressOf(req)) ?? 0) >= limits.connectionsPerAddress) return callback(TOO_MANY_CONNECTIONS, false);
    if (allowRequest) allowRequest(req, callback);
    else callback(null, true);
  };

  io.engine.on('connection', (conn: EngineConnection) => {
    const address = addressOf(conn.request);
    open.set(address, (open.get(address) ?? 0) + 1);
    conn.once('close', () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });

    // What waits in Socket.IO's buffer, plus what the WebSocket has not sent yet.
    let bufferedBytes = 0;
    let cutting = false;
    const checkWaiting = () => {
      const waitingBytes = bufferedBytes + (conn.transport.socket?.bufferedAmount ?? 0);
      if (conn.writeBuffer.length < limits.waitingPackets && waitingBytes < limits.waitingBytes) return;
      if (cutting) return;
      cutting = true;
      if (Date.now() - (warned.get(address) ?? 0) > 60_000) {
        if (warned.size >= 1_000) warned.clear(); // many addresses: forget the oldest news
        warned.set(address, Date.now());
        console.warn(`cut off a client at ${address}: ${conn.writeBuffer.length} messages (${waitingBytes} bytes) waited unread`);
      }
      // Once the send under way has finished: a disconnect in the middle of a broadcast
      // would run the lesson's 'disconnect' handler inside its own emit.
      process.nextTick(() => cutOff(conn));
    };
    conn.on('flush', () => (bufferedBytes = 0));
    conn.on('packetCreate', (packet: { data?: unknown }) => {
      if (typeof packet.data === 'string') bufferedBytes += packet.data.length;
      checkWaiting();
    });
    // A WebSocket ping from the client is answered with a pong, below Socket.IO: a client
    // that sends pings and never reads would pile up pongs, as it would messages.
    const watchPings = (transport: EngineConnection['transport']) => transport.socket?.on?.('ping', checkWaiting);
    watchPings(conn.transport);
    conn.on('upgrade', watchPings); // from long-polling to a WebSocket
  });
}

/**
 * Counts every TCP connection to an HTTP server against its address from its
 * first byte, and closes one whose request headers are not in within the
 * timeout. `listening()` (shared/run.ts) calls it for every lesson's server.
 * - Over `tcpConnectionsPerAddress`, a new connection is closed at once.
 * - A connection has `headersTimeoutMs` to send a request's headers: from
 *   its start, and again after each answer (the next request on a kept-alive
 *   connection). While a request is answered (a long poll waits 25 s), or once
 *   it is a WebSocket, no clock runs. Node's own headersTimeout is checked
 *   only every 30 s, hence a timer here; it and requestTimeout (the whole
 *   request, its body too) are shortened as well.
 */
export function guardConnections(server: HttpServer, limits: ClientLimits = limitsFromEnv()): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = 2 * limits.headersTimeoutMs;
  const open = new Map<string, number>(); // connections per address
  const clocks = new Map<TcpSocket, NodeJS.Timeout>(); // connections waiting for a request's headers

  const startClock = (socket: TcpSocket) => {
    if (socket.destroyed || clocks.has(socket)) return;
    clocks.set(socket, setTimeout(() => socket.destroy(), limits.headersTimeoutMs).unref());
  };
  const stopClock = (socket: TcpSocket) => {
    clearTimeout(clocks.get(socket));
    clocks.delete(socket);
  };

  server.on('connection', (socket: TcpSocket) => {
    const address = clientKey(socket.remoteAddress || 'unknown');
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.once('close', () => {
      stopClock(socket);
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
    if (open.get(address)! > limits.tcpConnectionsPerAddress) return void socket.destroy();
    startClock(socket);
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    stopClock(request.socket);
    response.once('finish', () => startClock(request.socket)); // the next request on this connection
  });
  server.on('upgrade', (request: IncomingMessage) => stopClock(request.socket)); // a WebSocket: Engine.IO's now
  server.once('close', () => {
    for (const clock of clocks.values()) clearTimeout(clock);
    clocks.clear();
  });
}

/** The parts of Engine.IO's connection used here. */
interface EngineConnection {
  request: IncomingMessage;
  writeBuffer: unknown[];
  readyState: string;
  transport: { socket?: { bufferedAmount: number; terminate(): void; on?(event: 'ping', listener: () => void): void } };
  on(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  close(discard?: boolean): void;
}

/** Ends a connection at once, dropping what waits for it. */
function cutOff(conn: EngineConnection): void {
  if (conn.readyState !== 'open') return;
  conn.writeBuffer.length = 0; // or close() would wait for it to drain
  conn.transport.socket?.terminate(); // a WebSocket: no goodbye the client would not read
  conn.close(true);
}
