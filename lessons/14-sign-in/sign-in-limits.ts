// How many wrong passwords, and from whom, before a sign-in is refused (429).
//
// Failures are counted in a window of 15 minutes, per name (someone guessing
// Ann's password from many machines) and per address (one machine guessing
// many names). Over the limit, the answer is 429 with Retry-After, and no
// password is even hashed.
//
// A lock per name has a catch: anyone can lock Ann out by failing as "Ann" ten
// times. So a browser that has signed in as Ann before carries a device cookie
// (OWASP's "device cookies"): signed by the server, naming the account. With
// it, a sign-in as Ann is limited on that device's own failures only, neither
// by the name's nor by the address's lock. Ann's laptop gets in while the
// prankster is locked out.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SignInLimitOptions {
  /** Failures per name, per address, per device, in `windowMs`. */
  perName: number;
  perAddress: number;
  perDevice: number;
  windowMs: number;
}

export const SIGN_IN_LIMITS: SignInLimitOptions = { perName: 10, perAddress: 20, perDevice: 10, windowMs: 15 * 60_000 };

/** The device cookie's name. */
export const DEVICE_COOKIE = 'device';

/** Failure times per key, each within the window. */
class Failures {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until `key` may try again with `max` failures allowed; 0 when it may now. */
  waitFor(key: string, max: number): number {
    const recent = this.recent(key);
    return recent.length < max ? 0 : recent[recent.length - max] + this.windowMs - this.now();
  }

  /** Counts a failure now; returns its time, to take it back with `remove`. */
  add(key: string): number {
    if (this.times.size > 100_000) this.sweep(); // a flood of made-up names: forget what is old
    const time = this.now();
    this.times.set(key, [...this.recent(key), time]);
    return time;
  }

  remove(key: string, time: number): void {
    const times = this.times.get(key) ?? [];
    const at = times.lastIndexOf(time);
    if (at >= 0) times.splice(at, 1);
  }

  forget(key: string): void {
    this.times.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.times.get(key) ?? []).filter((time) => time > since);
  }

  private sweep(): void {
    for (const key of this.times.keys()) if (this.recent(key).length === 0) this.times.delete(key);
  }
}

export interface Attempt {
  /** The name's key (shared/users.ts nameKeyOf), the address's key, and the device cookie if any. */
  nameKey: string;
  address: string;
  device: string | undefined;
}

export class SignInLimits {
  private readonly failures: Failures;

  constructor(
    /** Signs the device cookies: the session secret, so a restart keeps them valid. */
    private readonly secret: string,
    private readonly options: SignInLimitOptions = SIGN_IN_LIMITS,
    now: () => number = Date.now,
  ) {
    this.failures = new Failures(options.windowMs, now);
  }

  /** Milliseconds this attempt must wait before it is heard; 0 when it may go ahead. */
  waitFor({ nameKey, address, device }: Attempt): number {
    if (this.trusts(device, nameKey)) return this.failures.waitFor(`device:${device}`, this.options.perDevice);
    return Math.max(
      this.failures.waitFor(`name:${nameKey}`, this.options.perName),
      this.failures.waitFor(`address:${address}`, this.options.perAddress),
    );
  }

  /**
   * An attempt about to be checked is counted as a failure from the start:
   * 300 tries sent at once are all in flight before the first is known to
   * fail, and each must count against the next. Against the device if it is
   * trusted for that name, else against the name and the address. A sign-in
   * that works takes its count back (`succeeded`).
   */
  begin({ nameKey, address, device }: Attempt): Array<[string, number]> {
    const keys = this.trusts(device, nameKey) ? [`device:${device}`] : [`name:${nameKey}`, `address:${address}`];
    return keys.map((key) => [key, this.failures.add(key)]);
  }

  /** A sign-in that worked: its count taken back; the cookie value that makes this browser trusted for this name. */
  succeeded({ nameKey, device }: Attempt, counted: Array<[string, number]>): string {
    for (const [key, time] of counted) this.failures.remove(key, time);
    if (device && this.trusts(device, nameKey)) {
      this.failures.forget(`device:${device}`);
      return device;
    }
    const nonce = randomBytes(12).toString('base64url');
    return `${nonce}.${this.sign(nonce, nameKey)}`;
  }

  /** True for a device cookie this server signed, for this name. */
  private trusts(device: string | undefined, nameKey: string): boolean {
    const [nonce, signature, extra] = (device ?? '').split('.');
    if (!nonce || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(nonce, nameKey));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(nonce: string, nameKey: string): string {
    return createHmac('sha256', this.secret).update(`${nonce}\n${nameKey}`).digest('base64url');
  }
}
