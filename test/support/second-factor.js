// The tests' authenticator app: answers the TOTP second factor for real through the API, for the test
// login helpers (test-app, faults, browser, bench). CommonJS so bench/ (plain node) can use it too.
const { setTimeout: sleep } = require('node:timers/promises');
const { HOTP, Secret } = require('otpauth');

const PERIOD_MS = 30_000;

/** The code of one time step (RFC 6238: SHA-1, 6 digits, 30 s). */
function totpCode(secret, step) {
  return HOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, counter: step });
}

function currentStep(now = Date.now()) {
  return Math.floor(now / PERIOD_MS);
}

/**
 * Keeps each account's secret and last used step (per platform: one keeper per database), enrols an
 * account the first time the server asks, and answers later challenges with the next step not yet
 * used — the server refuses a step at or below the last one. Past the window it falls back on a
 * recovery code, then waits for the clock.
 */
class SecondFactorKeeper {
  constructor() {
    this.accounts = new Map();
  }

  /** The account's secret once enrolled through this keeper (tests use it to compute codes). */
  secretOf(username) {
    return this.accounts.get(username)?.secret;
  }

  /** Forget an account (after a reset by the 安全管理员). */
  forget(username) {
    this.accounts.delete(username);
  }

  /** Records an enrolment made by hand, so later helper logins can answer for it. */
  remember(username, secret, lastStep, recoveryCodes = []) {
    this.accounts.set(username, { secret, lastStep, recoveryCodes: [...recoveryCodes] });
  }

  /** A fresh code for the account, consuming its step; waits when both usable steps are spent. */
  async nextCode(username) {
    const account = this.accounts.get(username);
    if (!account) throw new Error(`${username}: no TOTP secret known to the test keeper`);
    for (;;) {
      const now = currentStep();
      const step = Math.max(account.lastStep + 1, now);
      if (step <= now + 1) {
        account.lastStep = step;
        return totpCode(account.secret, step);
      }
      await sleep((step - 1) * PERIOD_MS - Date.now() + 100);
    }
  }

  /** `{code}` while a step is free, else a spare recovery code (two are kept for the tests' own use), else waits. */
  async answer(username) {
    const account = this.accounts.get(username);
    if (!account) throw new Error(`${username}: TOTP is enrolled but its secret is unknown to the test keeper`);
    const now = currentStep();
    if (Math.max(account.lastStep + 1, now) > now + 1 && account.recoveryCodes.length > 2) {
      return { recoveryCode: account.recoveryCodes.shift() };
    }
    return { code: await this.nextCode(username) };
  }

  /**
   * Turns the answer of `POST /api/auth/login` into a session: passes `{accessToken…}` through, and for
   * `{secondFactor, challenge}` enrols or answers. `post(path, body)` → `{status, body}` (supertest or fetch).
   */
  async finish(username, outcome, post) {
    if (!outcome || outcome.accessToken || !outcome.challenge) return outcome;
    if (outcome.secondFactor === 'totp-enrol') {
      const started = await post('/api/auth/totp/enrol', { challenge: outcome.challenge });
      if (started.status !== 200) throw new Error(`enrol ${username}: ${started.status} ${JSON.stringify(started.body)}`);
      this.accounts.set(username, { secret: started.body.secret, lastStep: -1, recoveryCodes: [] });
      const code = await this.nextCode(username);
      const confirmed = await post('/api/auth/totp/confirm', { challenge: outcome.challenge, code });
      if (confirmed.status !== 200) throw new Error(`confirm ${username}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
      this.accounts.get(username).recoveryCodes = [...confirmed.body.recoveryCodes];
      return confirmed.body.session;
    }
    const answer = await this.answer(username);
    const res = await post('/api/auth/login/second-factor', { challenge: outcome.challenge, ...answer });
    if (res.status !== 200) throw new Error(`second factor ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** `post` for `finish` over fetch, against a running platform at `baseUrl`. */
function fetchPost(baseUrl) {
  return async (path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Password login over fetch plus the second factor when asked: `{status, body}` with body = the session on success. */
async function loginOverHttp(baseUrl, username, password, keeper) {
  const post = fetchPost(baseUrl);
  const first = await post('/api/auth/login', { username, password });
  if (first.status !== 200) return first;
  return { status: 200, body: await keeper.finish(username, first.body, post) };
}

/** One keeper per process for the helpers that log in to a separately started platform (faults, bench, start). */
const sharedKeeper = new SecondFactorKeeper();

module.exports = { SecondFactorKeeper, sharedKeeper, totpCode, currentStep, PERIOD_MS, fetchPost, loginOverHttp };
