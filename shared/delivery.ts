// Delivery, as lesson 12 teaches it (lessons/12-delivery/server.ts writes it
// out by hand), in one object for a later lesson:
//
//   const delivery = new Delivery(io, store, channel, { maxCatchUp });
//   delivery.send(sender, limit, { text, clientOffset });  // stored, then sent to the room
//   delivery.catchUp(socket, roomKey, delivery.offsetOf(socket));  // what the page missed
//
// - every message is stored (delivery-store.ts) before it is acknowledged,
//   and carries its row id;
// - a retry with the same `clientOffset` is answered again, stored and sent once;
// - a page that rejoins gets what came after its `serverOffset`, within a
//   budget of bytes per address, and Admin's notice (`gap: true`) when some
//   of it could not be sent;
// - a recovery that would replay too much at once starts afresh instead.
import type { BroadcastOperator, Server, Socket } from 'socket.io';
import { ADMIN } from './chat-events';
import { addressOf } from './clients';
import type { Coordinates, Reply } from './delivery-events';
import type { MessageStore, NewMessage, StoredMessage } from './delivery-store';
import { generateLocationMessage, generateMessage } from './message-generator';
import { RateLimiter, type Limit, type RateLimitOptions } from './rate-limit';
import { checkFields, checkText, isPlainObject, type Checked } from './validation';

/** How many of a room's messages a newcomer gets. */
export const HISTORY = 50;
/** The longest `clientOffset` accepted (a UUID is 36 characters). */
export const MAX_CLIENT_OFFSET_LENGTH = 64;
export const NOT_STORED = 'the server could not store your message: try again in a moment';
/** What a page is told when it cannot get every message it missed: no longer stored, or too many to send. */
export const GAP_NOTICE = 'Some earlier messages could not be sent: they are no longer kept, or there were too many at once.';
/** Bytes of history per address (as JSON): 1.2 MB at once, then 300 KB a second (lesson 12's catch-up.ts). */
export const CATCH_UP_BUDGET: RateLimitOptions = { burst: 1_200_000, perSecond: 300_000 };

/**
 * Checks `createMessage`'s payload: `{ text }` or `{ text, clientOffset }`,
 * where clientOffset is a string of 1 to 64 characters (null is refused too),
 * well formed (Redis keeps UTF-8, where every lone surrogate becomes U+FFFD).
 */
export function checkMessage(value: unknown): Checked<{ text: string; clientOffset?: string }> {
  const object = checkFields(value, ['text', 'clientOffset']);
  if (!object.ok) return object;
  const text = checkText(object.value.text);
  if (!text.ok) return text;
  if (!Object.hasOwn(object.value, 'clientOffset')) return { ok: true, value: { text: text.value } };
  const clientOffset = object.value.clientOffset;
  if (typeof clientOffset !== 'string' || clientOffset.length === 0 || clientOffset.length > MAX_CLIENT_OFFSET_LENGTH || /\p{Cs}/u.test(clientOffset)) {
    return { ok: false, error: `clientOffset must be a string of 1 to ${MAX_CLIENT_OFFSET_LENGTH} characters` };
  }
  return { ok: true, value: { text: text.value, clientOffset } };
}

/**
 * The id of the last message a client saw, from its handshake's `auth`, or 0
 * (a newcomer). Anything but a whole number from 1 to the highest id this
 * store ever gave counts as 0.
 */
export function serverOffsetOf(auth: unknown, lastId: number): number {
  const offset = isPlainObject(auth) ? auth.serverOffset : undefined;
  return typeof offset === 'number' && Number.isSafeInteger(offset) && offset > 0 && offset <= lastId ? offset : 0;
}

export interface DeliveryOptions {
  /** The most messages sent at once to a page (missed ones after a rejoin), and their most bytes as JSON. */
  maxCatchUp: number;
  maxCatchUpBytes?: number; // MAX_CATCH_UP_BYTES
  catchUpBudget?: RateLimitOptions;
  /** What the logs call this server, e.g. "worker 2". */
  name?: string;
}

/** Who sends: the name and room the server stored for the socket. */
export interface Sender {
  name: string;
  roomKey: string;
}

type AnyServer = Server<any, any, any, any>;
type AnySocket = Socket<any, any, any, any>;

export class Delivery {
  private readonly catchUps: RateLimiter;
  private warned = 0;

  constructor(
    private readonly io: AnyServer,
    readonly store: MessageStore,
    private readonly channel: (roomKey: string) => string,
    private readonly options: DeliveryOptions,
  ) {
    this.catchUps = new RateLimiter(options.catchUpBudget ?? CATCH_UP_BUDGET);
  }

  /** The socket's serverOffset: what it saw last, 0 for a newcomer. */
  offsetOf(socket: AnySocket): number {
    return serverOffsetOf(socket.handshake.auth, this.store.lastId());
  }

  /** A text: stored, then sent to the sender's room. A retry is answered `{ ok: true }`, and neither stored nor sent again. */
  sendText(sender: Sender, limit: Limit, { text, clientOffset }: { text: string; clientOffset?: string }): Reply {
    const { createdAt } = generateMessage(sender.name, text);
    return this.send(sender, limit, { text, url: null, clientOffset: clientOffset ?? null, createdAt });
  }

  sendLocation(sender: Sender, limit: Limit, { latitude, longitude }: Coordinates): Reply {
    const { url, createdAt } = generateLocationMessage(sender.name, latitude, longitude);
    return this.send(sender, limit, { text: null, url, clientOffset: null, createdAt });
  }

  private send({ roomKey, name }: Sender, limit: Limit, message: Omit<NewMessage, 'roomKey' | 'author'>): Reply {
    if (message.clientOffset !== null && this.store.has(roomKey, name, message.clientOffset)) return { ok: true };
    if (!limit.take()) return { ok: false, error: limit.error }; // a retry costs nothing
    let id: number | undefined;
    try {
      id = this.store.add({ roomKey, author: name, ...message }); // on disk before anyone hears of it
    } catch (err) {
      this.failed(err);
      return { ok: false, error: NOT_STORED };
    }
    if (id !== undefined) this.emit(this.io.to(this.channel(roomKey)), { id, roomKey, author: name, ...message });
    return { ok: true };
  }

  /**
   * Sends the room's messages after `offset`, oldest first: the newest
   * maxCatchUp of them, within the address's budget; or, for 0, its last
   * HISTORY. If some are not sent, Admin's notice says so first (`gap: true`).
   */
  catchUp(socket: AnySocket, roomKey: string, offset: number): void {
    const { maxCatchUp, maxCatchUpBytes = MAX_CATCH_UP_BYTES } = this.options;
    let rows: StoredMessage[];
    let gap = false;
    try {
      rows = offset > 0 ? this.store.since(roomKey, offset, maxCatchUp + 1) : this.store.latest(roomKey, HISTORY);
      if (offset > 0) gap = this.store.gapAfter(roomKey, offset);
    } catch (err) {
      return this.failed(err);
    }
    // From the newest back, as many as fit.
    const address = addressOf(socket);
    const limit = Math.min(maxCatchUpBytes, this.catchUps.available(address));
    let first = rows.length;
    let bytes = 0;
    while (first > 0 && rows.length - first < maxCatchUp) {
      const size = JSON.stringify(rows[first - 1]).length;
      if (bytes + size > limit) break;
      bytes += size;
      first--;
    }
    this.catchUps.spend(address, bytes);
    if (gap || first > 0) socket.emit('newMessage', { ...generateMessage(ADMIN, GAP_NOTICE), gap: true });
    for (const row of rows.slice(first)) this.emit(socket, row);
  }

  /** A stored row as the page gets it: a text or a location, with its id. */
  private emit(to: AnySocket | BroadcastOperator<any, any>, { id, author, text, url, createdAt }: StoredMessage): void {
    if (url !== null) to.emit('newLocationMessage', { id, from: author, url, createdAt });
    else to.emit('newMessage', { id, from: author, text: text ?? '', createdAt });
  }

  /** The store may fail (a full disk, the file locked): say so, once a minute at most. */
  private failed(err: unknown): void {
    if (Date.now() - this.warned < 60_000) return;
    this.warned = Date.now();
    console.error(`${this.options.name ?? 'server'}: the message store failed: ${(err as Error)?.message ?? err}`);
  }
}

/** The most characters of JSON sent at once to a page (lesson 12's catch-up.ts): under the 1 MB a client may leave unread. */
export const MAX_CATCH_UP_BYTES = 600_000;
/** Recoveries per address (lesson 12's recovery.ts): a blip drops every tab of a laptop at once, 10 come back together, then one every 2 s. */
export const RECOVERY_RATE_LIMIT: RateLimitOptions = { burst: 10, perSecond: 0.5 };

export interface RecoveryLimits extends Pick<DeliveryOptions, 'maxCatchUp' | 'maxCatchUpBytes'> {
  /** Recoveries per address, counted by each server (RECOVERY_RATE_LIMIT). */
  recoveryRateLimit?: RateLimitOptions;
}

/**
 * Connection state recovery kept to what it is for, as lesson 12's
 * recovery.ts teaches it: a page whose connection dropped gets back, once,
 * what it missed.
 * 1. Each address may recover so often: past that, its connection starts afresh.
 * 2. A session is restored once (the Redis adapter reads it with GETDEL;
 *    Socket.IO's own adapter keeps it, so it is deleted here).
 * 3. A restored session never asks again for what a recovery sent it.
 * 4. Past `maxCatchUp` packets (or `maxCatchUpBytes`), that would trip the
 *    per-client limits and cut the socket off at every try: it starts afresh.
 * A socket that starts afresh loses nothing: its join gets what it missed from the store.
 */
export function boundRecoveries(
  io: AnyServer,
  { maxCatchUp, maxCatchUpBytes = MAX_CATCH_UP_BYTES, recoveryRateLimit = RECOVERY_RATE_LIMIT }: RecoveryLimits,
): void {
  const namespace = io.of('/');
  const adapter = namespace.adapter;
  const budget = new RateLimiter(recoveryRateLimit);
  // 1. Before the session is looked up: over its budget, the address starts afresh.
  const add = namespace._add.bind(namespace);
  namespace._add = (client, auth, callback) => {
    if (typeof auth?.pid === 'string' && !budget.take(addressOf(client.request))) {
      const { pid, offset, ...rest } = auth; // the rest (serverOffset) is for the join
      return add(client, rest, callback);
    }
    return add(client, auth, callback);
  };
  const restoreSession = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    const session = await restoreSession(pid, offset);
    (adapter as { sessions?: Map<string, unknown> }).sessions?.delete(pid); // 2.
    if (!session || session.missedPackets.length > maxCatchUp) return null as never; // null: no recovery
    let bytes = 0;
    for (const packet of session.missedPackets) bytes += JSON.stringify(packet).length;
    if (bytes > maxCatchUpBytes) return null as never;
    // 3. Each packet's offset is its last argument: sending again the last packet a recovery sent means an old offset.
    const data = (session.data ?? {}) as { replayedUpTo?: string };
    const offsetOf = (packet: unknown[]) => packet.at(-1);
    if (data.replayedUpTo !== undefined && session.missedPackets.some((packet) => offsetOf(packet) === data.replayedUpTo)) {
      return null as never;
    }
    const last = session.missedPackets.at(-1);
    return { ...session, data: { ...data, replayedUpTo: last ? String(offsetOf(last)) : offset } };
  };
}
