import { expect } from 'expect';
import { ClientRateLimiter, RateLimiter, SOCKETS_PER_ADDRESS } from '../../shared/rate-limit';

describe('RateLimiter', () => {
  it('allows a burst, then refuses until tokens come back', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    now = 499; // not yet a whole token
    expect(limiter.take('a')).toBe(false);
    now = 1000; // 2 tokens back, one second after the burst
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([true, true, false]);
  });

  it('counts a cost known after the fact (bytes sent): available, then spend, never below none', () => {
    let now = 0;
    const budget = new RateLimiter({ burst: 1_000, perSecond: 100 }, () => now);
    expect(budget.available('a')).toBe(1_000);
    budget.spend('a', 600);
    expect(budget.available('a')).toBe(400);
    budget.spend('a', 900);
    expect(budget.available('a')).toBe(0);
    expect(budget.available('b')).toBe(1_000); // another key, untouched
    now = 2_000;
    expect(budget.available('a')).toBe(200);
  });

  it('keeps keys apart, never stores more than the burst, and forgets', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, () => now);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
    now = 60_000; // a long pause refills to the burst, not to 60
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([true, true, false]);
    limiter.forget('a');
    limiter.forget('b');
    expect(limiter.size).toBe(0);
  });
});

describe('RateLimiter sweeps', () => {
  it('drops buckets that have refilled, so a key that went quiet costs nothing', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, () => now);
    limiter.take('quiet');
    limiter.take('busy');
    limiter.take('busy');
    now = 1_500; // quiet is full again, busy is not
    limiter.has('busy');
    expect(limiter.size).toBe(2); // no sweep yet: they come every 10 s
    now = 10_000;
    limiter.take('busy'); // busy is full again too, then takes a token
    expect(limiter.size).toBe(1);
  });
});

describe('ClientRateLimiter', () => {
  const socket = (id: string, address: string) => ({ id, handshake: { address } });

  it('limits each socket, and the sockets of one address together', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ burst: 2, perSecond: 1 }, { now: () => now });
    const mine = [1, 2, 3, 4, 5].map((i) => socket(`s${i}`, '::ffff:127.0.0.2'));
    // Each socket may send 2; the address may send 2 × SOCKETS_PER_ADDRESS in all.
    const accepted = mine.flatMap((s) => [limiter.take(s), limiter.take(s), limiter.take(s)]).filter(Boolean).length;
    expect(accepted).toBe(2 * SOCKETS_PER_ADDRESS);
    expect(limiter.take(socket('other', '127.0.0.3'))).toBe(true); // another machine is not affected
  });

  it('keeps an address limited across a reconnect, and takes nothing when it refuses', () => {
    let now = 0;
    const limiter = new ClientRateLimiter({ burst: 1, perSecond: 1 }, { now: () => now });
    for (let i = 0; i < SOCKETS_PER_ADDRESS; i++) {
      const s = socket(`s${i}`, '127.0.0.2');
      expect(limiter.take(s)).toBe(true);
      limiter.forget(s); // it disconnects; a new socket comes
    }
    const again = socket('again', '127.0.0.2');
    expect(limiter.take(again)).toBe(false); // the address has no token left
    now = 1_000; // one token back for the address, and the socket's own was never taken
    expect(limiter.take(again)).toBe(true);
    expect(limiter.size).toEqual({ sockets: 1, addresses: 1 }); // the forgotten sockets are gone
  });
});
