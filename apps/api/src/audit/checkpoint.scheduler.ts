import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { CheckpointService } from './checkpoint.service';

/** Longest pause between looks: a long interval is still noticed soon after it passes. */
const MAX_POLL_MS = 60_000;

/**
 * Signed checkpoints every AUDIT_CHECKPOINT_INTERVAL. Every api process looks; CheckpointService
 * makes sure only one of them makes each checkpoint.
 */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CheckpointScheduler.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly checkpoints: CheckpointService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    const ms = Math.min(this.config.auditCheckpointIntervalSeconds * 1000, MAX_POLL_MS);
    this.handle = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, ms);
    this.handle.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }

  async tick(): Promise<void> {
    try {
      const made = await this.checkpoints.createIfDue();
      if (made) this.logger.log({ checkpoint: made.id, lastId: made.lastId }, 'audit checkpoint signed');
    } catch (error) {
      this.logger.warn({ err: error }, 'audit checkpoint failed; will retry');
    }
  }
}
