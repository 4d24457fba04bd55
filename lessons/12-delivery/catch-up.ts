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
import { RateLimiter, type RateLimitOptions } from '../../shared/rate-limit';

/** Bytes per address: `burst` at once, then `perSecond`. */
export const CATCH_UP_BUDGET: RateLimitOptions = { burst: 1_200_000, perSecond: 300_000 };

/** The chat's token bucket (shared/rate-limit.ts), its tokens counted in bytes: `available`, then `spend`. */
export class ByteBudget extends RateLimiter {
  constructor(options: RateLimitOptions = CATCH_UP_BUDGET, now?: () => number) {
    super(options, now);
  }
}
