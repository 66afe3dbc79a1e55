import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('configuration from the environment', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zw-config-'));
  const base = { DATA_DIR: dataDir };

  it('has defaults that run on a laptop: port 3000, embedded database, demo seed on', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.seedDemo).toBe(true);
    expect(config.maxLoginFailures).toBe(5);
    expect(config.lockMinutes).toBe(15);
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig(base).jwtSecret).toBe(config.jwtSecret);
    expect(config.workerToken.length).toBeGreaterThanOrEqual(16);
    expect(loadConfig(base).workerToken).toBe(config.workerToken);
  });

  it('turns the demo seed off by default when a real database is given', () => {
    expect(loadConfig({ ...base, DATABASE_URL: 'postgres://u@db/zw' }).seedDemo).toBe(false);
  });

  it.each([
    ['PORT', 'abc', /whole number/],
    ['PORT', '70000', /between/],
    ['DATABASE_URL', 'mysql://x@y/z', /postgres/],
    ['DATABASE_URL', 'not a url', /not a valid URL/],
    ['SMTP_URL', 'http://mail', /smtp/],
    ['WORKER_TOKEN', 'short', /16 characters/],
    ['DEMO_PASSWORD', 'abc', /at least/],
    ['JWT_SECRET', 'tooshort', /32 characters/],
    ['LOG_LEVEL', 'loud', /one of/],
    ['SEED_DEMO', 'maybe', /true or false/],
    ['ACCESS_TOKEN_TTL', '15 minutes', /duration/],
  ])('stops with a message naming %s when it is %p', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ ...base, [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).message.startsWith(variable)).toBe(true);
  });

  it('reads durations in s, m, h and d', () => {
    expect(loadConfig({ ...base, ACCESS_TOKEN_TTL: '10m', REFRESH_TOKEN_TTL: '1d' })).toMatchObject({
      accessTokenTtlSeconds: 600,
      refreshTokenTtlSeconds: 86400,
    });
  });
});
