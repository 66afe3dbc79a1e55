import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { SealsModule } from '../seals/seals.module';
import { ExchangeController } from './exchange.controller';
import { ExchangeIdentity } from './exchange-identity';
import { ExchangeService } from './exchange.service';

@Module({
  imports: [DocumentsModule, SealsModule],
  controllers: [ExchangeController],
  providers: [ExchangeService, ExchangeIdentity],
  // Features that address a 发文 to a partner (data-release: a 复函 to an outside organ) use its public methods.
  exports: [ExchangeService],
})
export class ExchangeModule {}
