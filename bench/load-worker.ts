// A load generator process for `npm run bench`: bench/run.ts forks a few of
// these, so the simulated users never share a process (or its event loop)
// with the server they measure. Each one runs many socket.io-client users and
// answers the bench over the IPC channel (see bench/protocol.ts).
import { io, type Socket } from 'socket.io-client';
import type { ChatResult, ClientSpec, FromWorker, StormResult, ToWorker } from './protocol';

/** Messages the bench sends start with this, then: sender index, sequence number, send time (ns). */
const TAG = 'bench';
const CONNECT_TIMEOUT_MS = 20_000;
const ACK_TIMEOUT_MS = 10_000;
/** How many connections or joins are in flight at once: enough to be quick, few enough not to fill the accept queue. */
const CONCURRENCY = 50;

interface User {
  spec: ClientSpec;
  socket: Socket;
  /** Members of the room that joined (all of them live in this worker). */
  roomSize: number;
}

/** The clients, by target (see ToWorker). */
const groups = new Map<string, User[]>();
const STORM = 'storm';

function tell(message: FromWorker): void {
  process.send?.(message);
}

// The bench is gone (ended, crashed, killed): so is this worker.
process.on('disconnect', () => process.exit(0));
// Never outlive a runaway bench either.
setTimeout(() => process.exit(2), 30 * 60_000).unref();

process.on('message', (message: ToWorker) => {
  const target = 'target' in message ? message.target : STORM;
  handle(message).catch((err: unknown) => tell({ type: 'error', target, message: err instanceof Error ? err.stack ?? err.message : String(err) }));
});
tell({ type: 'ready', target: '' });

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'connect': {
      const { sockets, failed, firstError } = await connectAll(message.url, message.clients.map((spec) => machine(1, spec.index)));
      const users = message.clients.map((spec, i) => ({ spec, socket: sockets[i], roomSize: 0 })).filter((user) => user.socket);
      groups.set(message.target, users);
      return tell({ type: 'connected', target: message.target, count: users.length, failed, firstError });
    }
    case 'join': {
      const users = groups.get(message.target) ?? [];
      let failed = 0;
      let firstError: string | undefined;
      const joinedRooms = new Map<string, number>();
      const joined = new Set<User>();
      await pool(users, CONCURRENCY, async (user) => {
        const error = await join(user.socket, user.spec);
        if (error) {
          failed++;
          firstError ??= error;
        } else {
          joined.add(user);
          joinedRooms.set(user.spec.room, (joinedRooms.get(user.spec.room) ?? 0) + 1);
        }
      });
      for (const user of users) user.roomSize = joined.has(user) ? joinedRooms.get(user.spec.room)! : 0;
      return tell({ type: 'joined', target: message.target, count: joined.size, failed, firstError });
    }
    case 'chat':
      return tell({ type: 'chat-done', target: message.target, result: await chat(groups.get(message.target) ?? [], message) });
    case 'close':
      for (const user of groups.get(message.target) ?? []) user.socket.disconnect();
      groups.delete(message.target);
      return tell({ type: 'closed', target: message.target });
    case 'storm-connect': {
      const { sockets, failed, firstError } = await connectAll(message.url, Array.from({ length: message.count }, (_, i) => machine(2, i)));
      const users = sockets.filter(Boolean).map((socket, i) => ({
        spec: { index: i, name: `user-${String(i + 1).padStart(3, '0')}`, room: message.room },
        socket,
        roomSize: 0,
      }));
      groups.set(STORM, users);
      return tell({ type: 'storm-connected', target: STORM, count: users.length, failed, firstError });
    }
    case 'storm-go':
      return tell({ type: 'storm-done', target: STORM, result: await storm(groups.get(STORM) ?? [], message.expectUserList) });
  }
}

/**
 * Each simulated user is a machine of its own, with a loopback address of its
 * own (127.1.0.1, 127.1.0.2 …), as in a classroom: the lessons limit what one
 * address may do (shared/clients.ts), and a bench from one address would
 * measure those limits instead of the server.
 */
function machine(block: number, index: number): string {
  return `127.${block}.${Math.floor(index / 254)}.${(index % 254) + 1}`; // the last byte 1 to 254: 255 and 256 are no hosts
}

/** Connects a client from each address, CONCURRENCY at a time. A failed one leaves a hole in the array. */
async function connectAll(url: string, addresses: string[]): Promise<{ sockets: Socket[]; failed: number; firstError?: string }> {
  const count = addresses.length;
  const sockets: Socket[] = new Array(count);
  let failed = 0;
  let firstError: string | undefined;
  await pool(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      try {
        sockets[i] = await connect(url, addresses[i]);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    },
  );
  return { sockets, failed, firstError };
}

function connect(url: string, localAddress: string): Promise<Socket> {
  // WebSocket straight away (a browser would start with long-polling, then upgrade).
  const options = { transports: ['websocket'], reconnection: false, forceNew: true, timeout: CONNECT_TIMEOUT_MS, localAddress };
  const socket = io(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Joins; resolves with an error message, or undefined when the server said ok. */
async function join(socket: Socket, { name, room }: ClientSpec): Promise<string | undefined> {
  try {
    const reply = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { name, room });
    return reply?.ok === true ? undefined : `join refused: ${JSON.stringify(reply)}`;
  } catch (err) {
    return `join: ${(err as Error).message}`;
  }
}

async function chat(users: User[], { startAtNs, seconds, periodMs, total, drainMs, clientOffsets }: Extract<ToWorker, { type: 'chat' }>): Promise<ChatResult> {
  const start = BigInt(startAtNs);
  const sinceStartMs = () => Number(process.hrtime.bigint() - start) / 1e6;
  const result: ChatResult = { sent: 0, acked: 0, refused: 0, unanswered: 0, expected: 0, received: 0, echoes: 0, latencies: [], sendLagMs: [] };

  // Receive: every bench message that reaches a member other than its sender is one delivery.
  const listeners = new Map<User, (message: { text?: unknown }) => void>();
  for (const user of users) {
    const listener = ({ text }: { text?: unknown }) => {
      const arrived = process.hrtime.bigint();
      if (typeof text !== 'string' || !text.startsWith(TAG)) return; // the server's own notices
      const [, sender, , sentNs] = text.split(' ');
      if (Number(sender) === user.spec.index) {
        result.echoes++;
        return;
      }
      result.received++;
      result.latencies.push(Math.round(Number(arrived - BigInt(sentNs)) / 1e4) / 100); // ms, 2 decimals
    };
    listeners.set(user, listener);
    user.socket.on('newMessage', listener);
  }

  // Send: the schedule of the whole run, in time order.
  const schedule: { at: number; user: User; seq: number }[] = [];
  for (const user of users) {
    if (user.roomSize === 0) continue; // did not join
    const phase = (user.spec.index / total) * periodMs;
    for (let at = phase, seq = 0; at < seconds * 1000; at += periodMs, seq++) schedule.push({ at, user, seq });
  }
  schedule.sort((a, b) => a.at - b.at);

  let pending = 0;
  const send = ({ at, user, seq }: (typeof schedule)[number]) => {
    const now = process.hrtime.bigint();
    result.sendLagMs.push(Math.round((Number(now - start) / 1e6 - at) * 100) / 100);
    result.sent++;
    pending++;
    const text = `${TAG} ${user.spec.index} ${seq} ${now}`;
    const payload = clientOffsets ? { text, clientOffset: `${user.spec.index}-${seq}` } : { text };
    user.socket.timeout(ACK_TIMEOUT_MS).emit('createMessage', payload, (err: Error | null, reply?: { ok?: boolean }) => {
      pending--;
      if (err) result.unanswered++;
      else if (reply?.ok === true) {
        result.acked++;
        result.expected += user.roomSize - 1;
      } else result.refused++;
    });
  };

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = sinceStartMs();
      while (next < schedule.length && schedule[next].at <= now) send(schedule[next++]);
      if (next < schedule.length) setTimeout(tick, Math.max(0, schedule[next].at - now));
      else resolve();
    };
    setTimeout(tick, Math.max(0, -sinceStartMs()));
  });

  // Drain: wait for every answer and every delivery, for at most drainMs.
  const drainUntil = Date.now() + drainMs;
  while ((pending > 0 || result.received < result.expected) && Date.now() < drainUntil) await pause(20);

  for (const [user, listener] of listeners) user.socket.off('newMessage', listener);
  return result;
}

async function storm(users: User[], expectUserList: boolean): Promise<StormResult> {
  const count = users.length;
  const byEvent: StormResult['byEvent'] = {};
  const lists = new Map<User, number>();
  const detach: (() => void)[] = [];
  for (const user of users) {
    const onList = (names: unknown) => lists.set(user, Array.isArray(names) ? names.length : 0);
    user.socket.on('updateUserList', onList);
    // Each Engine.IO packet the server sends is one WebSocket frame: count its payload by event.
    const engine = user.socket.io.engine;
    const onPacket = (packet: { type: string; data?: unknown }) => {
      const data = typeof packet.data === 'string' ? packet.data : '';
      const event = packet.type !== 'message' ? `engine.io ${packet.type}` : /^2\d*\["([^"]+)"/.exec(data)?.[1] ?? (data.startsWith('3') ? 'ack' : 'other');
      const entry = (byEvent[event] ??= { frames: 0, bytes: 0 });
      entry.frames++;
      entry.bytes += 1 + Buffer.byteLength(data); // the packet type digit, then the data
    };
    engine.on('packet', onPacket);
    detach.push(() => {
      user.socket.off('updateUserList', onList);
      engine.off('packet', onPacket);
    });
  }
  const before = users.map(tcpBytesRead);

  const started = process.hrtime.bigint();
  let joined = 0;
  let failed = 0;
  for (const user of users) {
    if (await join(user.socket, user.spec)) failed++;
    else joined++;
  }
  // Then wait until everyone has the whole list (or the last ack, for a server that sends none).
  const until = Date.now() + 30_000;
  const complete = () => !expectUserList || users.every((user) => lists.get(user) === count);
  while (!complete() && Date.now() < until) await pause(5);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;

  const tcpBytes = users.reduce((sum, user, i) => sum + tcpBytesRead(user) - before[i], 0);
  for (const off of detach) off();
  return { joined, failed, complete: complete(), ms, tcpBytes, byEvent };
}

/** Bytes this client's TCP socket has read (Engine.IO's `ws` WebSocket, then its net.Socket). */
function tcpBytesRead(user: User): number {
  const transport = user.socket.io.engine.transport as unknown as { ws?: { _socket?: { bytesRead?: number } } };
  return transport.ws?._socket?.bytesRead ?? NaN;
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
