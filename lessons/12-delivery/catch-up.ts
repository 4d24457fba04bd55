// A budget in bytes for what the store sends a page when it joins.
//
// A page that rejoins with an old serverOffset gets what it missed from the
// store: up to 1,000 messages, 600 KB. Left as it is, one laptop can open 15
// sockets that each say "I saw message 1" and join under a new name: 9 MB sent
// at once, again every few seconds (issue 22: the server stalled 1.5 s, and a
// classmate's page took 2 to 7 s to load). So each address has a budget, a
// token bucket counted in bytes (as JSON): 1.2 MB at once, two full catch-ups,
// then 300 KB a second. A page over it gets the newest messages that fit, and
// Admin's notice that some could not be sent: nothing is lost silently, and the
// page can reload later for the rest.
import type { RateLimitOptions } from '../../shared/rate-limit';

/** Bytes per address: `burst` at once, then `perSecond`. */
export const CATCH_UP_BUDGET: RateLimitOptions = { burst: 1_200_000, perSecond: 300_000 };

/** Full buckets are dropped this often, so an address that went away is forgotten. */
const SWEEP_EVERY_MS = 10_000;

export class ByteBudget {
  private readonly buckets = new Map<string, { bytes: number; updated: number }>();
  private swept: number;

  constructor(
    private readonly options: RateLimitOptions = CATCH_UP_BUDGET,
    private readonly now: () => number = Date.now,
  ) {
    this.swept = now();
  }

  /** How many bytes `key` may be sent now. */
  available(key: string): number {
    return this.refill(key).bytes;
  }

  /** Counts `bytes` sent to `key` (call it with no more than `available`). */
  spend(key: string, bytes: number): void {
    const bucket = this.refill(key);
    bucket.bytes = Math.max(0, bucket.bytes - bytes);
    this.buckets.set(key, bucket);
  }

  private refill(key: string) {
    const time = this.now();
    if (time - this.swept >= SWEEP_EVERY_MS) {
      this.swept = time;
      for (const [other, { bytes, updated }] of this.buckets) {
        if (bytes + ((time - updated) / 1000) * this.options.perSecond >= this.options.burst) this.buckets.delete(other);
      }
    }
    const bucket = this.buckets.get(key) ?? { bytes: this.options.burst, updated: time };
    bucket.bytes = Math.min(this.options.burst, bucket.bytes + ((time - bucket.updated) / 1000) * this.options.perSecond);
    bucket.updated = time;
    return bucket;
  }
}
