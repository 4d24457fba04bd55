// A token bucket: each socket may send `burst` messages at once, then
// `perSecond` more every second. A student's script that floods the chat is
// refused, while everyone else chats on.
//
// Why not a library such as rate-limiter-flexible? Its in-memory limiter
// answers with a Promise, which would make every handler async; this one is
// synchronous, small enough to read, and all a single server needs.

export interface RateLimitOptions {
  /** Messages a client may send in a burst. */
  burst: number;
  /** Messages added back each second, up to `burst`. */
  perSecond: number;
}

export const CHAT_RATE_LIMIT: RateLimitOptions = { burst: 10, perSecond: 5 };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    private readonly options: RateLimitOptions = CHAT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; false when the key is over its limit. */
  take(key: string): boolean {
    const time = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, updated: time };
    const refill = ((time - bucket.updated) / 1000) * this.options.perSecond;
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + refill);
    bucket.updated = time;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets a key, e.g. when its socket disconnects. */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  /** How many keys it tracks (the robustness tests check this returns to 0). */
  get size(): number {
    return this.buckets.size;
  }
}

/** The refusal a client gets when over the limit. */
export const RATE_LIMITED = 'too many messages: slow down and try again in a moment';
