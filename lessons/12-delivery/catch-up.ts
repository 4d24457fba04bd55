// What the store sends a page when it joins: the messages it missed, within
// limits, and Admin's notice when some cannot come.
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
import { ADMIN } from '../../shared/chat-events';
import { addressOf } from '../../shared/clients';
import { generateMessage } from '../../shared/message-generator';
import { RateLimiter, type RateLimitOptions } from '../../shared/rate-limit';
import type { Message } from './events';
import type { MessageStore, StoredMessage } from './store';

/** How many of a room's messages a newcomer gets. */
export const HISTORY = 50;
/**
 * The most messages sent at once to a page: missed ones after a rejoin, or
 * packets after a recovery. A burst waits until it is written out, and a
 * client for whom too much waits unread is cut off (shared/clients.ts: 1 MB):
 * 1,000 messages of 500 characters are about 0.6 MB. That is more than one
 * address may send in a minute (30 at once, then 15 a second), so a page away
 * for the recovery window gets all it missed, whatever one classmate sends.
 */
export const MAX_CATCH_UP = 1_000;
/**
 * Nor more than this many characters of JSON (user lists can be long, and a
 * message of 500 quotes takes 1,000 as JSON: `\"`).
 */
export const MAX_CATCH_UP_BYTES = 600_000;

/** Bytes per address: `burst` at once, then `perSecond`. */
export const CATCH_UP_BUDGET: RateLimitOptions = { burst: 1_200_000, perSecond: 300_000 };

/** What a page is told when it cannot get every message it missed: no longer stored, or too many to send. */
export const GAP_NOTICE = 'Some earlier messages could not be sent: they are no longer kept, or there were too many at once.';

/** Admin's notice of a gap, marked `gap: true`: the page shows it above the messages that follow. */
export const gapNotice = (): Message => ({ ...generateMessage(ADMIN, GAP_NOTICE), gap: true });

/** The chat's token bucket (shared/rate-limit.ts), its tokens counted in bytes: `available`, then `spend`. */
export class ByteBudget extends RateLimiter {
  constructor(options: RateLimitOptions = CATCH_UP_BUDGET, now?: () => number) {
    super(options, now);
  }
}

/** What the store sends: the rows, oldest first, and whether some the page missed are not among them. */
export interface CatchUpRows {
  rows: StoredMessage[];
  gap: boolean;
}

export class CatchUp {
  private readonly budget: ByteBudget;

  constructor(
    private readonly store: MessageStore,
    budget: RateLimitOptions = CATCH_UP_BUDGET,
  ) {
    this.budget = new ByteBudget(budget);
  }

  /**
   * The room's messages after `offset`, oldest first: the newest MAX_CATCH_UP of them, in
   * MAX_CATCH_UP_BYTES at most; or, for 0 (a newcomer), its last HISTORY. Either way, no more than
   * what is left of the budget of the socket's address. `gap` when some are not sent (no longer stored, or
   * past those limits): the page must be told first.
   */
  missed(socket: { handshake: { address: string } }, roomKey: string, offset: number): CatchUpRows {
    const address = addressOf(socket);
    let rows: StoredMessage[];
    let gap = false;
    try {
      rows = offset > 0 ? this.store.since(roomKey, offset, MAX_CATCH_UP + 1) : this.store.latest(roomKey, HISTORY);
      if (offset > 0) gap = this.store.gapAfter(roomKey, offset);
    } catch (err) {
      this.store.logFailure(err);
      return { rows: [], gap: false };
    }
    // From the newest back, as many as fit.
    const limit = Math.min(MAX_CATCH_UP_BYTES, this.budget.available(address));
    let first = rows.length;
    let bytes = 0;
    while (first > 0 && rows.length - first < MAX_CATCH_UP) {
      const size = JSON.stringify(rows[first - 1]).length;
      if (bytes + size > limit) break;
      bytes += size;
      first--;
    }
    this.budget.spend(address, bytes);
    return { rows: rows.slice(first), gap: gap || first > 0 };
  }
}
