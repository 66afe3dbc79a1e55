import pino from 'pino';
import { loadWorkerConfig, WorkerConfigError } from './config';
import { startWorkers } from './workers';

export { startWorkers } from './workers';
export type { RunningWorkers, WorkerOptions } from './workers';

/** `npm run worker`: the workers alone, against an api elsewhere (scale-out). */
export async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof WorkerConfigError) {
      process.stderr.write(`配置错误 (configuration error): ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, name: 'worker' });
  const workers = await startWorkers({
    baseUrl: config.apiUrl,
    workerToken: config.workerToken,
    smtpUrl: config.smtpUrl,
    workerId: config.workerId,
    longPollMs: config.longPollMs,
    logger: log,
  });
  process.stdout.write(`Zhengwu workers ready (${workers.workerId}) against ${config.apiUrl}\n`);
  const stop = () => {
    workers.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) void run();

export async function run(): Promise<void> {
  await main().catch((error: unknown) => {
    process.stderr.write(`启动失败 (start failed): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
