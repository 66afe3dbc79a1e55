import { Global, Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { APP_CONFIG, type AppConfig } from '../platform/config';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsService } from './attachments.service';

@Global()
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      // Memory storage bounded per file: the digest is computed before anything touches the disk.
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.attachmentMaxBytes, files: 1, fields: 10 } }),
    }),
  ],
  controllers: [AttachmentsController],
  providers: [AttachmentsService],
  exports: [AttachmentsService],
})
export class AttachmentsModule {}
