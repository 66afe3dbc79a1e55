import { LoginRateLimiter } from './login-rate-limit';

describe('LoginRateLimiter (failed logins per address)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('lets an address fail up to the limit, then makes it wait until the oldest failure leaves the window', () => {
    const limiter = new LoginRateLimiter(3, 60_000, clock);
    expect(limiter.recordFailure('10.0.0.1')).toBe(false);
    now += 10_000;
    expect(limiter.recordFailure('10.0.0.1')).toBe(false);
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
    now += 10_000;
    expect(limiter.recordFailure('10.0.0.1')).toBe(true);
    // The first failure was 20 s ago: it leaves the 60 s window in 40 s.
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(40);
    expect(limiter.retryAfterSeconds('10.0.0.2')).toBe(0);
    now += 40_000;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
    // One slot is free again; the next failure fills it and the wait is until the second one (at +10 s) expires.
    expect(limiter.recordFailure('10.0.0.1')).toBe(true);
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(10);
  });

  it('never answers a wait of zero seconds while over the limit', () => {
    const limiter = new LoginRateLimiter(1, 1_000, clock);
    limiter.recordFailure('a');
    now += 999;
    expect(limiter.retryAfterSeconds('a')).toBe(1);
    now += 1;
    expect(limiter.retryAfterSeconds('a')).toBe(0);
  });

  it('gives back an attempt counted up front that succeeded', () => {
    const limiter = new LoginRateLimiter(2, 60_000, clock);
    limiter.recordFailure('a');
    expect(limiter.recordFailure('a')).toBe(true);
    expect(limiter.retryAfterSeconds('a')).toBe(60);
    limiter.forgive('a');
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    limiter.forgive('a');
    limiter.forgive('a');
    expect(limiter.recordFailure('a')).toBe(false);
  });

  it('forgets the addresses idle the longest when too many are tracked', () => {
    const limiter = new LoginRateLimiter(1, 60_000, clock, 2);
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    expect(limiter.retryAfterSeconds('b')).toBeGreaterThan(0);
    expect(limiter.retryAfterSeconds('c')).toBeGreaterThan(0);
  });
});
