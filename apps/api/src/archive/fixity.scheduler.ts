import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { ArchiveService } from './archive.service';

/** The periodic fixity audit (四性检测 over every stored package) every ARCHIVE_AUDIT_INTERVAL. */
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
    // setInterval takes at most 2^31-1 ms (~24.8 days).
    const ms = Math.min(this.config.archiveAuditIntervalSeconds * 1000, 2 ** 31 - 1);
    this.handle = setInterval(() => {
      this.running ??= this.archive
        .audit()
        .then((r) => {
          if (r.failed > 0) this.logger.warn(r, 'fixity audit found failing archive packages');
        })
        .catch((error: unknown) => this.logger.error({ err: error }, 'fixity audit failed'))
        .finally(() => (this.running = undefined));
    }, ms);
    this.handle.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.handle) clearInterval(this.handle);
    await this.running;
  }
}
