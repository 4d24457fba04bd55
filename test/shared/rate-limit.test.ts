import { expect } from 'expect';
import { RateLimiter } from '../../shared/rate-limit';

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
