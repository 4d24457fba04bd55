// A token bucket: each key may send `burst` messages at once, then
// `perSecond` more every second. A student's script that floods the chat is
// refused, while everyone else chats on.
//
// Why not a library such as rate-limiter-flexible? Its in-memory limiter
// answers with a Promise, which would make every handler async; this one is
// synchronous, small enough to read, and all a single server needs.
import { addressOf } from './clients';

export interface RateLimitOptions {
  /** Messages a client may send in a burst. */
  burst: number;
  /** Messages added back each second, up to `burst`. */
  perSecond: number;
}

export const CHAT_RATE_LIMIT: RateLimitOptions = { burst: 10, perSecond: 5 };

/** "A new user joined", per address: a few reloads are announced, a connect loop is not. */
export const ARRIVAL_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 0.5 };

/** A full bucket is the same as none: buckets are swept out this often. */
const SWEEP_EVERY_MS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();
  private swept: number;

  constructor(
    private readonly options: RateLimitOptions = CHAT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    this.swept = now();
  }

  /** True when `key` has a token to take. */
  has(key: string): boolean {
    return this.refill(key).tokens >= 1;
  }

  /** Takes one token for `key`; false when the key is over its limit. */
  take(key: string): boolean {
    const bucket = this.refill(key);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** How many tokens `key` has now: for a budget counted in bytes, how many it may be sent. */
  available(key: string): number {
    return this.refill(key).tokens;
  }

  /** Takes `amount` tokens for `key`, down to none: a cost known once the work is done. */
  spend(key: string, amount: number): void {
    const bucket = this.refill(key);
    bucket.tokens = Math.max(0, bucket.tokens - amount);
  }

  /** Forgets a key, e.g. when its socket disconnects. */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** How many keys it tracks (full buckets are dropped every few seconds). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string) {
    const time = this.now();
    if (time - this.swept >= SWEEP_EVERY_MS) this.sweep(time);
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, updated: time };
    const refill = ((time - bucket.updated) / 1000) * this.options.perSecond;
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + refill);
    bucket.updated = time;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private sweep(time: number): void {
    this.swept = time;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((time - bucket.updated) / 1000) * this.options.perSecond >= this.options.burst) {
        this.buckets.delete(key);
      }
    }
  }
}

/** One address may send as much as this many sockets: a few tabs are fine, a hundred are not. */
export const SOCKETS_PER_ADDRESS = 3;

/**
 * Limits each socket, and each client address as a whole. The address's
 * bucket outlives a reconnect: a student's script cannot get a fresh one by
 * opening another socket.
 */
export class ClientRateLimiter {
  private readonly perSocket: RateLimiter;
  private readonly perAddress: RateLimiter;

  /** What a client over the limit is told (`of`, and shared/handler.ts). */
  readonly error: string;

  constructor(
    options: RateLimitOptions = CHAT_RATE_LIMIT,
    { error = RATE_LIMITED, now = Date.now }: { error?: string; now?: () => number } = {},
  ) {
    this.error = error;
    this.perSocket = new RateLimiter(options, now);
    this.perAddress = new RateLimiter(
      { burst: options.burst * SOCKETS_PER_ADDRESS, perSecond: options.perSecond * SOCKETS_PER_ADDRESS },
      now,
    );
  }

  /** Takes a token for the socket and one for its address; false, taking none, when either is out. */
  take(socket: { id: string; handshake: { address: string } }): boolean {
    const address = addressOf(socket);
    if (!this.perSocket.has(socket.id) || !this.perAddress.has(address)) return false;
    this.perSocket.take(socket.id);
    this.perAddress.take(address);
    return true;
  }

  /**
   * The limit for one socket, as `checked` (shared/handler.ts) takes it. The
   * socket is forgotten when it disconnects.
   */
  of(socket: { id: string; handshake: { address: string }; once(event: 'disconnect', listener: () => void): unknown }): Limit {
    socket.once('disconnect', () => this.forget(socket));
    return { take: () => this.take(socket), error: this.error };
  }

  /** Forgets the socket when it disconnects; its address stays limited until its bucket refills. */
  forget(socket: { id: string }): void {
    this.perSocket.forget(socket.id);
  }

  /** How many sockets and addresses it tracks. */
  get size(): { sockets: number; addresses: number } {
    return { sockets: this.perSocket.size, addresses: this.perAddress.size };
  }
}

/** Takes a token for one client, or says no, and what to tell it then. */
export interface Limit {
  take(): boolean;
  error: string;
}

/** The refusal a client gets when over the limit. */
export const RATE_LIMITED = 'too many messages: slow down and try again in a moment';
