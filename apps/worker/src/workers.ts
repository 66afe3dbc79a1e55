import { hostname } from 'node:os';
import { Client } from 'camunda-external-task-client-js';
import pino, { type Logger } from 'pino';
import { ApiClient } from './api-client';
import { ARCHIVE_TOPIC, archiveHandler } from './archive/archive.handler';
import { DATA_COLLECTION_CHECK_TOPIC, dataCollectionHandler } from './data-collection/data-collection.handler';
import { DOCUMENT_RENDER_TOPIC, documentRenderHandler } from './document-render/document-render.handler';
import { startMailSender } from './mail/mail-sender';

export interface WorkerOptions {
  /** The api's root, e.g. http://127.0.0.1:3000 (the workers add /engine-rest and /api). */
  baseUrl: string;
  workerToken: string;
  smtpUrl?: string;
  workerId?: string;
  logger?: Logger;
  /** How long a fetch waits for work before asking again (Camunda's asyncResponseTimeout). */
  longPollMs?: number;
  /** How often the mail sender looks for new messages when idle. */
  mailPollMs?: number;
}

export interface RunningWorkers {
  workerId: string;
  stop(): Promise<void>;
}

/**
 * Every worker of the platform in one process: the external-task topics over Camunda 7's REST
 * contract, and the mail sender. Any number of these processes may run against one api.
 */
export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const log = options.logger ?? pino({ name: 'worker' });
  const workerId = options.workerId ?? `${hostname()}-${process.pid}`;
  const api = new ApiClient(options.baseUrl, options.workerToken);
  const client = new Client({
    baseUrl: `${options.baseUrl}/engine-rest`,
    workerId,
    maxTasks: 4,
    lockDuration: 120_000,
    asyncResponseTimeout: options.longPollMs ?? 10_000,
    interval: 300,
    autoPoll: false,
    interceptors: (config) => ({ ...config, headers: { ...config.headers, Authorization: `Bearer ${options.workerToken}` } }),
  });
  // The client reports trouble as events; without listeners a down api would be silent.
  client.on('poll:error', (error) => log.warn({ err: error }, 'fetching external tasks failed; retrying'));
  client.on('complete:error', (_task, error) => log.warn({ err: error }, 'completing an external task failed'));
  client.on('handleFailure:error', (_task, error) => log.warn({ err: error }, 'reporting a failure failed'));
  client.subscribe(DOCUMENT_RENDER_TOPIC, documentRenderHandler(api, log.child({ topic: DOCUMENT_RENDER_TOPIC })));
  client.subscribe(
    ARCHIVE_TOPIC,
    archiveHandler({ baseUrl: options.baseUrl, workerToken: options.workerToken, logger: log.child({ topic: ARCHIVE_TOPIC }) }),
  );
  client.subscribe(
    DATA_COLLECTION_CHECK_TOPIC,
    dataCollectionHandler({
      baseUrl: options.baseUrl,
      workerToken: options.workerToken,
      logger: log.child({ topic: DATA_COLLECTION_CHECK_TOPIC }),
    }),
  );
  client.start();
  const mail = startMailSender({
    baseUrl: options.baseUrl,
    workerToken: options.workerToken,
    smtpUrl: options.smtpUrl,
    workerId: `${workerId}-mail`,
    logger: log.child({ topic: 'mail' }),
    pollMs: options.mailPollMs,
  });
  log.info(
    { workerId, api: options.baseUrl, topics: [DOCUMENT_RENDER_TOPIC, ARCHIVE_TOPIC, DATA_COLLECTION_CHECK_TOPIC] },
    'workers started (and the mail sender)',
  );
  return {
    workerId,
    async stop() {
      client.stop();
      await mail.stop();
    },
  };
}
