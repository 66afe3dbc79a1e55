import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { DEMO_USERS } from '../seed/demo-org';
import { DemoCases } from '../seed/demo-cases';
import { applyDemoPassword, ensureAdmin, seedDemo } from '../seed/demo-seed';
import { ROLE_LABELS } from '@zhengwu/contracts';
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

/**
 * Starts everything for one machine: the database (embedded unless DATABASE_URL), migrations,
 * the demo organisation, the HTTP server, the companions (workers), then the demo cases, which
 * need the workers (排版 before 分发). Returns once requests are served.
 */
export async function startPlatform(
  config: AppConfig,
  log = pino({ level: config.logLevel }),
  companions: Companion[] = [],
): Promise<RunningPlatform> {
  let embedded: EmbeddedDatabase | undefined;
  let app: INestApplication | undefined;
  const started: { stop(): Promise<void> }[] = [];
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
    app = await createHttpApp(config, databaseUrl);
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address() as { port: number } | null;
    const port = address?.port ?? config.port;
    const url = config.publicUrl.includes(`:${config.port}`) ? config.publicUrl.replace(`:${config.port}`, `:${port}`) : config.publicUrl;
    const internalUrl = `http://127.0.0.1:${port}`;
    for (const companion of companions) started.push(await companion({ internalUrl, config, log }));
    if (config.seedDemo) {
      const cases = await app.get(DemoCases).run();
      if (cases.length) log.info({ cases }, 'demo cases seeded');
    }
    printReady(url, config, databaseUrl, seedInfo);
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

function printReady(url: string, config: AppConfig, databaseUrl: string, seedInfo: { password?: string }): void {
  const lines = [``, `Zhengwu 政务办公平台 ready at ${url}`, `  API docs: ${url}/api/docs   health: ${url}/api/health`];
  lines.push(
    `  database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${join(config.dataDir, 'pg')} at 127.0.0.1:${new URL(databaseUrl).port}`}`,
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

/** `node dist/.../main.js`: start, and stop cleanly on Ctrl-C or SIGTERM. */
export async function main(companions: Companion[] = []): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`配置错误 (configuration error): ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel });
  const platform = await startPlatform(config, log, companions);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    platform
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  // embedded-postgres installs its own signal hook that stops PostgreSQL and exits with 130 whenever
  // it finishes first; the platform stops its parts in order (workers, api, PostgreSQL) itself.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
