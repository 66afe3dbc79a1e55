import { INestApplication } from '@nestjs/common';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { DEMO_USERS } from '../seed/demo-org';
import { DemoCases } from '../seed/demo-cases';
import { applyDemoPassword, ensureAdmin, seedDemo } from '../seed/demo-seed';
import { ROLE_LABELS } from '@zhengwu/contracts';
import { CLUSTER_ENV, linkToPrimary, Supervisor } from './cluster';
import { AppConfig, ConfigError, loadConfig } from './config';
import { dataSourceOptions, runMigrations } from './database';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { createHttpApp } from './http-app';

export interface RunningPlatform {
  url: string;
  /** Where processes on this machine reach the api (the workers started beside it). */
  internalUrl: string;
  /** For in-process benchmarks and tools. */
  app: INestApplication;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** A generated demo password is kept under DATA_DIR so every later start can print it again. */
function demoPassword(config: AppConfig): string {
  if (config.demoPassword) return config.demoPassword;
  const file = join(config.dataDir, 'demo-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const password = `Zw-${randomBytes(6).toString('hex')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

/** Something that runs beside the api in the same process once it serves requests (the workers). */
export type Companion = (ctx: { internalUrl: string; config: AppConfig; log: pino.Logger }) => Promise<{ stop(): Promise<void> }>;

export interface PreparedDatabase {
  databaseUrl: string;
  /** Set when the platform runs its own PostgreSQL (no DATABASE_URL); stopped last. */
  embedded?: EmbeddedDatabase;
  seedInfo: { password?: string };
}

/**
 * The database side of a start, done once per machine whatever the number of api processes: the
 * database (embedded unless DATABASE_URL), migrations, the demo organisation.
 */
export async function prepareDatabase(config: AppConfig, log: pino.Logger): Promise<PreparedDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const dir = join(config.dataDir, 'pg');
      log.info({ dir }, 'starting embedded PostgreSQL');
      embedded = await startEmbeddedPostgres(dir, 'zhengwu', (line) => log.debug({ pg: line }));
      databaseUrl = embedded.url;
    }
    const applied = await runMigrations(databaseUrl);
    if (applied.length) log.info({ migrations: applied }, 'migrations applied');
    const seedInfo = await seed(config, databaseUrl);
    return { databaseUrl, embedded, seedInfo };
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

/** One complete api listening on PORT (in a cluster child, on the port all children share). */
export async function serveApi(config: AppConfig, databaseUrl: string): Promise<{ app: INestApplication; port: number }> {
  const app = await createHttpApp(config, databaseUrl);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number } | null;
  return { app, port: address?.port ?? config.port };
}

/** The address people use (PUBLIC_URL, with the port actually taken when PORT=0) and the one for this machine. */
export function addressesOf(config: AppConfig, port: number): { url: string; internalUrl: string } {
  const url = config.publicUrl.includes(`:${config.port}`) ? config.publicUrl.replace(`:${config.port}`, `:${port}`) : config.publicUrl;
  return { url, internalUrl: `http://127.0.0.1:${port}` };
}

/**
 * Starts everything in this one process: the database (embedded unless DATABASE_URL), migrations,
 * the demo organisation, the HTTP server, the companions (workers), then the demo cases, which
 * need the workers (排版 before 分发). Returns once requests are served.
 */
export async function startPlatform(
  config: AppConfig,
  log = pino({ level: config.logLevel }),
  companions: Companion[] = [],
): Promise<RunningPlatform> {
  const prepared = await prepareDatabase(config, log);
  const { databaseUrl, embedded, seedInfo } = prepared;
  let app: INestApplication | undefined;
  const started: { stop(): Promise<void> }[] = [];
  try {
    const served = await serveApi(config, databaseUrl);
    app = served.app;
    const { url, internalUrl } = addressesOf(config, served.port);
    for (const companion of companions) started.push(await companion({ internalUrl, config, log }));
    if (config.seedDemo) {
      const cases = await app.get(DemoCases).run();
      if (cases.length) log.info({ cases }, 'demo cases seeded');
    }
    printReady(url, config, databaseUrl, seedInfo, { processes: 1, pids: [process.pid] });
    const running = { app, embedded };
    return {
      url,
      internalUrl,
      app,
      databaseUrl,
      async stop() {
        for (const companion of started.reverse())
          await companion.stop().catch((err: unknown) => log.warn({ err }, 'companion stop failed'));
        await running.app.close();
        await running.embedded?.stop();
      },
    };
  } catch (error) {
    for (const companion of started) await companion.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

async function seed(config: AppConfig, databaseUrl: string): Promise<{ password?: string }> {
  const ds = new DataSource(dataSourceOptions(databaseUrl));
  await ds.initialize();
  try {
    if (config.seedDemo) {
      const password = demoPassword(config);
      const result = await seedDemo(ds, password);
      if (!result.seeded && config.demoPassword) await applyDemoPassword(ds, config.demoPassword);
      return { password };
    }
    if (config.adminPassword) await ensureAdmin(ds, config.adminPassword);
    return {};
  } finally {
    await ds.destroy();
  }
}

function printReady(
  url: string,
  config: AppConfig,
  databaseUrl: string,
  seedInfo: { password?: string },
  api: { processes: number; pids: number[] },
): void {
  const lines = [``, `Zhengwu 政务办公平台 ready at ${url}`, `  API docs: ${url}/api/docs   health: ${url}/api/health`];
  lines.push(
    `  database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${join(config.dataDir, 'pg')} at 127.0.0.1:${new URL(databaseUrl).port}`}`,
  );
  lines.push(
    `  api processes: ${api.processes} (API_PROCESSES; pid ${api.pids.join(', ')})${config.runWorkers ? ', workers beside them' : ', no workers (RUN_WORKERS=false)'}`,
  );
  if (seedInfo.password) {
    lines.push(``, `  演示账号 (demo accounts), password for all: ${seedInfo.password}`);
    for (const user of DEMO_USERS) {
      const roles = user.roles.map((r) => ROLE_LABELS[r]).join('、');
      lines.push(`    ${user.username.padEnd(12)} ${user.displayName}  ${roles}`);
    }
  }
  lines.push(``, `  Press Ctrl-C to stop.`, ``);
  // After the logger's asynchronous writes, so the banner is the last thing on screen.
  setTimeout(() => process.stdout.write(lines.join('\n') + '\n'), 100);
}

/** Reads the settings, or ends the process with exit code 2 naming the wrong one. */
function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`配置错误 (configuration error): ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * `node dist/.../main.js` and `npm start`: start, and stop cleanly on Ctrl-C or SIGTERM. With
 * API_PROCESSES above 1 this process becomes the cluster's primary (runPrimary); the children it
 * forks run this same entry and take their part in runChild.
 */
export async function main(companions: Companion[] = []): Promise<void> {
  const config = configOrExit();
  const log = pino({ level: config.logLevel });
  if (cluster.isWorker) return runChild(config, log, companions);
  if (config.apiProcesses > 1) return runPrimary(config, log, companions);
  const platform = await startPlatform(config, log, companions);
  onStopSignal(log, () => platform.stop());
}

/** SIGINT/SIGTERM run `stop` once, then the process exits (0, or 1 when stopping failed). */
function onStopSignal(log: pino.Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  // embedded-postgres installs its own signal hook that stops PostgreSQL and exits with 130 whenever
  // it finishes first, and Nest one that closes the app; the platform stops its parts in order
  // (workers, api, PostgreSQL) itself.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
}

/**
 * The cluster's primary: prepares the database once, forks API_PROCESSES api children on the port
 * and one child for the companions (workers), has the first api child seed the demo cases, and
 * then supervises (platform/cluster.ts). Ctrl-C or SIGTERM stops the workers, then the apis, then
 * the embedded PostgreSQL, and exits 0.
 */
async function runPrimary(config: AppConfig, log: pino.Logger, companions: Companion[]): Promise<void> {
  const { databaseUrl, embedded, seedInfo } = await prepareDatabase(config, log);
  await checkConnectionBudget(config, databaseUrl, log);
  const supervisor = new Supervisor(log);
  let stopped: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopped ??= (async () => {
      await supervisor.stop(['companions', 'api']);
      await embedded?.stop();
    })());
  onStopSignal(log, stopAll);
  const env = { [CLUSTER_ENV.databaseUrl]: databaseUrl };
  try {
    const api = await Promise.all(
      Array.from({ length: config.apiProcesses }, (_, i) => supervisor.start({ role: 'api', index: i + 1, env })),
    );
    const { url, internalUrl } = addressesOf(config, api[0].port ?? config.port);
    if (config.runWorkers && companions.length > 0) {
      await supervisor.start({ role: 'companions', index: 1, env: { ...env, [CLUSTER_ENV.internalUrl]: internalUrl } });
    }
    if (config.seedDemo) {
      const cases = await supervisor.request<string[]>('api', 1, 'demo-cases');
      if (cases.length) log.info({ cases }, 'demo cases seeded');
    }
    log.info({ apiProcesses: config.apiProcesses, pids: supervisor.pids('api') }, `${config.apiProcesses} api processes started`);
    printReady(url, config, databaseUrl, seedInfo, { processes: config.apiProcesses, pids: supervisor.pids('api') });
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/**
 * Connections an api process holds beside its pool: the one LISTEN connection (PgListener: external-task long polls,
 * session cache, bell streams, latest process versions) and the login locks' connection.
 */
const CONNECTIONS_BESIDE_POOL = 2;

/**
 * Each api process has its own pool: together they may open API_PROCESSES × DATABASE_POOL_SIZE
 * connections, and CONNECTIONS_BESIDE_POOL each beside it. Said at start when that does not fit the server's
 * max_connections (with room for migrations and an administrator), rather than as failures under load.
 */
async function checkConnectionBudget(config: AppConfig, databaseUrl: string, log: pino.Logger): Promise<void> {
  const ds = new DataSource(dataSourceOptions(databaseUrl, 1));
  try {
    await ds.initialize();
    const [{ max_connections: max }]: { max_connections: string }[] = await ds.query('SHOW max_connections');
    const wanted = config.apiProcesses * (config.databasePoolSize + CONNECTIONS_BESIDE_POOL) + 10;
    if (wanted > Number(max)) {
      log.warn(
        { apiProcesses: config.apiProcesses, poolSize: config.databasePoolSize, maxConnections: Number(max) },
        `the api processes may open ${wanted} database connections but the server allows ${max}: lower API_PROCESSES or DATABASE_POOL_SIZE, or raise max_connections`,
      );
    }
  } catch (error) {
    log.warn({ err: error }, 'could not read max_connections');
  } finally {
    if (ds.isInitialized) await ds.destroy();
  }
}

/** A cluster child: one complete api on the shared port, or the companions (the workers). */
async function runChild(config: AppConfig, log: pino.Logger, companions: Companion[]): Promise<void> {
  const role = process.env[CLUSTER_ENV.role];
  const databaseUrl = process.env[CLUSTER_ENV.databaseUrl];
  if (!databaseUrl) throw new Error(`${CLUSTER_ENV.databaseUrl} is unset: cluster children are forked by the primary`);
  if (role === 'api') {
    const { app, port } = await serveApi(config, databaseUrl);
    const link = linkToPrimary(
      log,
      () => app.close(),
      { 'demo-cases': () => app.get(DemoCases).run() },
      () => stopState(app),
    );
    link.ready({ port });
    return;
  }
  if (role === 'companions') {
    const internalUrl = process.env[CLUSTER_ENV.internalUrl] ?? `http://127.0.0.1:${config.port}`;
    const started: { stop(): Promise<void> }[] = [];
    for (const companion of companions) started.push(await companion({ internalUrl, config, log }));
    const link = linkToPrimary(log, async () => {
      for (const companion of started.reverse()) await companion.stop().catch((err: unknown) => log.warn({ err }, 'companion stop failed'));
    });
    link.ready();
    return;
  }
  throw new Error(`unknown cluster role ${String(role)}`);
}

/**
 * The database pool's counts and the HTTP server's state, said when a stop is slow: pg's Pool.end waits for every
 * connection lent out, and the server's close for every connection still answering.
 */
async function stopState(app: INestApplication): Promise<Record<string, unknown>> {
  const pool = (app.get(DataSource).driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } })
    .master;
  const server = app.getHttpServer() as Server;
  const connections = await new Promise<number>((resolve) => server.getConnections((error, count) => resolve(error ? -1 : count)));
  return {
    http: { listening: server.listening, connections },
    ...(pool ? { pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } } : {}),
  };
}
