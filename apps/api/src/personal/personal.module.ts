import { Module } from '@nestjs/common';
import { PersonalController } from './personal.controller';
import { PersonalRepository } from './personal.repository';
import { PersonalService } from './personal.service';

@Module({
  controllers: [PersonalController],
  providers: [PersonalService, PersonalRepository],
})
export class PersonalModule {}
