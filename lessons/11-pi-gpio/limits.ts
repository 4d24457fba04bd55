// How the lesson stands a flood. There is one LED and one sensor for the
// whole class: a student's loop that switches the LED 50 times a second takes
// it from everyone else, and would print 50 lines a second. So each client may
// switch the LED, and trigger the simulated sensor, only about as fast as a
// person clicks, and the terminal gets a summary every few seconds instead
// of a line for each switch.
import { addressOf } from '../../shared/clients';
import { RATE_LIMITED, RateLimiter, type Limit, type RateLimitOptions } from '../../shared/rate-limit';
import type { Bit } from './events';

/**
 * For each client, for the LED and for the sensor apart: 5 at once, then 2
 * a second. A person switches the LED a few times and looks; a loop is
 * refused after its first 5.
 */
export const GPIO_RATE_LIMIT: RateLimitOptions = { burst: 5, perSecond: 2 };

/** How often the terminal gets a summary, in ms. */
export const SUMMARY_MS = 2000;

/** What happened to one pin since the last summary: for a line in the terminal. */
export class Tally {
  private times = 0;
  private refusals = 0;
  private readonly by = new Set<string>();
  private readonly refusedTo = new Set<string>();

  /** `name` says which pin ("LED GPIO 17"), `verb` what it does ("switched"). */
  constructor(
    private readonly name: string,
    private readonly verb: string,
  ) {}

  /** It changed, for `client` (an address) where one asked; a sensor changes by itself. */
  changed(client?: string): void {
    this.times++;
    if (client) this.by.add(client);
  }

  /** A client asked too fast, and was refused. */
  refused(client: string): void {
    this.refusals++;
    this.refusedTo.add(client);
  }

  /**
   * The line since the last one, e.g. "LED GPIO 17: switched 37 times by
   * 3 clients, now 1; refused 12 times (too fast) to 2 clients", or
   * undefined if nothing happened. Then it counts from 0 again.
   */
  line(now: Bit): string | undefined {
    if (this.times + this.refusals === 0) return undefined;
    const by = this.by.size > 0 ? ` by ${count(this.by.size, 'client')}` : '';
    const refused = this.refusals > 0 ? `; refused ${times(this.refusals)} (too fast) to ${count(this.refusedTo.size, 'client')}` : '';
    const line = `${this.name}: ${this.verb} ${times(this.times)}${by}, now ${now}${refused}`;
    this.times = this.refusals = 0;
    this.by.clear();
    this.refusedTo.clear();
    return line;
  }
}

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * One pin's rate limit, for each client by its address (however many sockets
 * it opens): its bucket stays when its sockets leave. A refusal is counted in
 * the pin's Tally.
 */
export class PinLimiter {
  private readonly buckets: RateLimiter;

  constructor(
    options: RateLimitOptions,
    private readonly tally: Tally,
  ) {
    this.buckets = new RateLimiter(options);
  }

  /** The Limit `checked` takes (shared/handler.ts), for the client `socket` comes from. */
  of(socket: { handshake: { address: string } }): Limit {
    const address = addressOf(socket);
    const take = () => {
      if (this.buckets.take(address)) return true;
      this.tally.refused(address);
      return false;
    };
    return { take, error: RATE_LIMITED };
  }
}

/** Prints the lines `lines()` gives (those that say something) every `ms`. */
export class Summaries {
  private readonly timer: NodeJS.Timeout;

  constructor(
    ms: number,
    private readonly lines: () => Array<string | undefined>,
  ) {
    this.timer = setInterval(() => this.print(), ms);
  }

  print(): void {
    for (const line of this.lines()) if (line) console.log(line);
  }

  /** Stops the timer; `last` prints what the last few seconds did. */
  stop({ last = true } = {}): void {
    clearInterval(this.timer);
    if (last) this.print();
  }
}
