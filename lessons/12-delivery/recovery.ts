// Connection state recovery, kept to what it is for: a page whose connection
// dropped gets back, once, what it missed.
//
// Socket.IO keeps a dropped socket's session (its private id, rooms and data)
// for `maxDisconnectionDuration`, and restores it to any connection that names
// it with an offset: the id of the last packet it saw. Left as it is, one
// laptop can name the same session again and again, each time with the same
// old offset, and be sent the same messages each time (issue 22: 3,574
// recoveries in 50 s, 28 MB/s). So here:
// 1. each address may recover so often (a token bucket): past that, its
//    connection starts afresh, and the page's join gets what it missed from the store;
// 2. a session is restored once: another connection naming it starts afresh.
//    The restored socket, if it drops in its turn, can be restored once again;
// 3. a restored session never asks again for what a recovery sent it: an
//    offset older than the last packet replayed starts afresh;
// 4. a session that missed more than `maxCatchUp` packets, or `maxCatchUpBytes`,
//    starts afresh too: sent at once, they would get it cut off (shared/clients.ts).
// A connection that starts afresh loses nothing: the page rejoins with its
// serverOffset, through the join limit.
import type { Server } from 'socket.io';
import { addressOf } from '../../shared/clients';
import { RateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import { MAX_CATCH_UP, MAX_CATCH_UP_BYTES } from './catch-up';

/** A connection that drops for up to a minute is recovered; after that, the store takes over. */
export const RECOVERY_MS = 60_000;

/** What a recovery leaves in `socket.data`: the offset of the last packet it replayed. */
export interface RecoveryData {
  replayedUpTo?: string;
}

export interface RecoveryLimits {
  /** Recoveries per address. */
  recoveryRateLimit: RateLimitOptions;
  /** How long a session is kept (maxDisconnectionDuration), in ms. */
  recoveryMs: number;
  /** The most packets one recovery sends, and their most bytes (as JSON): MAX_CATCH_UP, MAX_CATCH_UP_BYTES. */
  maxCatchUp?: number;
  maxCatchUpBytes?: number;
}

/** A blip drops every tab of a laptop at once: 10 come back together, then one every 2 s. */
export const RECOVERY_RATE_LIMIT: RateLimitOptions = { burst: 10, perSecond: 0.5 };

/** Applies the limits to the main namespace of `io`. Call it once, right after `lessonServer(...)`. */
export function limitRecoveries(
  io: Server<any, any, any, RecoveryData>,
  { recoveryRateLimit, recoveryMs, maxCatchUp = MAX_CATCH_UP, maxCatchUpBytes = MAX_CATCH_UP_BYTES }: RecoveryLimits,
): void {
  const namespace = io.of('/');
  const adapter = namespace.adapter;
  const budget = new RateLimiter(recoveryRateLimit);

  // 1. Before Socket.IO looks the session up: over its budget, the address starts afresh.
  const add = namespace._add.bind(namespace);
  namespace._add = (client, auth, callback) => {
    if (typeof auth?.pid === 'string' && !budget.take(addressOf(client.request))) {
      const { pid, offset, ...rest } = auth; // the rest (serverOffset) is for the join
      return add(client, rest, callback);
    }
    return add(client, auth, callback);
  };

  // 2. The sessions that may be restored: each once, from when it is kept until it expires.
  const kept = new Map<string, number>(); // private session id → when it was kept
  const persistSession = adapter.persistSession.bind(adapter);
  adapter.persistSession = (session) => {
    const now = Date.now();
    for (const [pid, since] of kept) {
      if (now - since <= recoveryMs) break; // the oldest first: the rest are newer
      kept.delete(pid);
    }
    kept.delete(session.pid); // so the order stays oldest first
    kept.set(session.pid, now);
    persistSession(session);
  };

  const restoreSession = adapter.restoreSession.bind(adapter);
  adapter.restoreSession = async (pid, offset) => {
    // null: no recovery (Socket.IO's own adapter answers null too, though its type leaves it out).
    if (!kept.delete(pid)) return null as never; // restored already, or never kept
    const session = await restoreSession(pid, offset);
    if (!session || session.missedPackets.length > maxCatchUp) return null as never;
    let bytes = 0;
    for (const packet of session.missedPackets) bytes += JSON.stringify(packet).length;
    if (bytes > maxCatchUpBytes) return null as never;
    // 3. Each packet's offset is its last argument. If this would send again the last packet a
    //    recovery sent, the offset is older than that: a page never goes back, so refuse.
    const data = (session.data ?? {}) as RecoveryData;
    const offsetOf = (packet: unknown[]) => packet.at(-1);
    if (data.replayedUpTo !== undefined && session.missedPackets.some((packet) => offsetOf(packet) === data.replayedUpTo)) {
      return null as never;
    }
    const last = session.missedPackets.at(-1);
    const replayedUpTo = last ? String(offsetOf(last)) : offset;
    return { ...session, data: { ...data, replayedUpTo } };
  };
}
