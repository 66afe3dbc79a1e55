/**
 * Failed logins per client address. The account lock (LOGIN_MAX_FAILURES) stops guessing one
 * person's password; this stops one address from trying many accounts (password spraying) and from
 * keeping the server busy with argon2: past `max` failures within `windowMs`, login answers 429
 * before any password is checked, until the oldest failures leave the window.
 *
 * In memory, per api process: replicas each count their own, which only loosens the limit by their
 * number. The map is bounded, so a flood of addresses cannot grow it without end.
 */
export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = 10_000,
  ) {}

  /** Seconds `address` must wait before its next attempt; 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const times = this.recent(address);
    if (times.length < this.max) return 0;
    const freesAt = times[times.length - this.max] + this.windowMs;
    return Math.max(1, Math.ceil((freesAt - this.now()) / 1000));
  }

  /** Counts a failed login; true when this failure reached the limit (worth one audit record). */
  recordFailure(address: string): boolean {
    const times = this.recent(address);
    times.push(this.now());
    // Re-inserted last, so the map's first key is the address idle the longest.
    this.failures.delete(address);
    this.failures.set(address, times);
    while (this.failures.size > this.maxTracked) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
    return times.length === this.max;
  }

  /** Takes back the newest failure of `address` (the attempt counted up front succeeded after all). */
  forgive(address: string): void {
    const times = this.recent(address);
    times.pop();
    if (times.length === 0) this.failures.delete(address);
    else this.failures.set(address, times);
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(address);
    return times;
  }
}
