import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { PgListener } from './platform/pg-listener';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuditModule } from './audit/audit.module';
import { IdentityModule } from './identity/identity.module';
import { OrgModule } from './org/org.module';
import { EngineModule } from './engine/engine.module';
import { TasksModule } from './tasks/tasks.module';
import { SeedModule } from './seed/seed.module';
import { AttachmentsModule } from './files/attachments.module';
import { DocumentsModule } from './documents/documents.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { ProjectsModule } from './projects/projects.module';
import { FilingsModule } from './filings/filings.module';
import { DataReleaseModule } from './data-release/data-release.module';
import { DataRequestsModule } from './data-requests/data-requests.module';
import { NotificationsModule } from './notifications/notifications.module';
import { APP_CONFIG, type AppConfig } from './platform/config';
import { dataSourceOptions } from './platform/database';
import { ErrorFilter } from './platform/error.filter';
import { HealthController } from './platform/health.controller';
import { ArchiveModule } from './archive/archive.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { SealsModule } from './seals/seals.module';
import { ExchangeModule } from './exchange/exchange.module';
import { PersonalModule } from './personal/personal.module';
import { DirectoryModule } from './directory/directory.module';
import { SupervisionModule } from './supervision/supervision.module';
import { CatalogueModule } from './catalogue/catalogue.module';
import { AnnouncementsModule } from './announcements/announcements.module';
import { SearchModule } from './search/search.module';
import { WorkPlansModule } from './work-plans/work-plans.module';
import { DataCollectionModule } from './data-collection/data-collection.module';

const POLLS = /\/(fetch-and-lock|fetchAndLock)$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Accepts a caller's x-request-id when it is sane, so one id follows a request across services. */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string' && req.id !== '') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.logLevel,
            genReqId: requestIdOf,
            customProps: (req) => ({ requestId: (req as IncomingMessage & { id?: string }).id }),
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (req) => req.url === '/api/health' },
            // Workers long-poll every few seconds; their routine polls would drown the log at info.
            customLogLevel: (req, res, err) => {
              if (err || res.statusCode >= 500) return 'error';
              if (res.statusCode >= 400) return 'warn';
              return POLLS.test(req.url ?? '') ? 'debug' : 'info';
            },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, config.databasePoolSize)),
        AuditModule,
        IdentityModule,
        OrgModule,
        EngineModule,
        TasksModule,
        SeedModule,
        AttachmentsModule,
        DocumentsModule,
        ApprovalsModule,
        ProjectsModule,
        FilingsModule,
        DataRequestsModule,
        DataReleaseModule,
        NotificationsModule,
        ArchiveModule,
        DashboardModule,
        SealsModule,
        ExchangeModule,
        PersonalModule,
        DirectoryModule,
        SupervisionModule,
        CatalogueModule,
        AnnouncementsModule,
        SearchModule,
        WorkPlansModule,
        DataCollectionModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_CONFIG, useValue: config }, { provide: APP_FILTER, useClass: ErrorFilter }, PgListener],
      exports: [APP_CONFIG, PgListener],
    };
  }
}
