import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataCollectionRepository } from './data-collection.repository';

const POLL_MS = 60_000;
const BATCH = 500;

/**
 * 催报: a submission still owed a day before its due time (or later) is urged once to the unit's 承办人 and 收发员; five
 * days late it is escalated once to the unit's leader (the nearest 签发人 up its tree) and 信息中心. Each notice is one
 * `collection_events` row written in one statement with its outbox message, so several api processes may scan at once.
 */
@Injectable()
export class DataCollectionScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DataCollectionScanner.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly repo: DataCollectionRepository) {}

  onApplicationBootstrap(): void {
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    this.handle = setInterval(() => {
      this.running ??= this.scan()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'data collection scan failed; will retry'))
        .finally(() => (this.running = undefined));
    }, POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  async scan(): Promise<{ urged: number; escalated: number }> {
    let urged = 0;
    let escalated = 0;
    for (let n = BATCH; n === BATCH; urged += n) n = await this.repo.queueUrges(BATCH);
    for (let n = BATCH; n === BATCH; escalated += n) n = await this.repo.queueEscalations(BATCH);
    return { urged, escalated };
  }
}
