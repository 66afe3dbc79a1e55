import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { ArchiveService } from './archive.service';

/** Longest pause between looks: a package falls due at its own time, and is noticed soon after. */
const MAX_POLL_MS = 60_000;

/**
 * The periodic fixity audit: 四性检测 of the 长期保存 stage (DA/T 70 BC- items, see archive-check.ts) on
 * each stored package again once its last check is
 * ARCHIVE_AUDIT_INTERVAL old. Every api process looks; ArchiveService.auditDue makes sure one of them
 * checks each due package.
 */
@Injectable()
export class FixityScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FixityScheduler.name);
  private handle?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly archive: ArchiveService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (process.env.ZW_DISABLE_SCHEDULER === '1') return;
    const ms = Math.min(this.config.archiveAuditIntervalSeconds * 1000, MAX_POLL_MS);
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
      const r = await this.archive.auditDue(this.config.archiveAuditIntervalSeconds);
      if (r.failed > 0) this.logger.warn(r, 'fixity audit found failing archive packages');
    } catch (error) {
      this.logger.error({ err: error }, 'fixity audit failed; will retry');
    }
  }
}
