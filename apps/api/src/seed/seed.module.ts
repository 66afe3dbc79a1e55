import { Global, Module } from '@nestjs/common';
import { DemoCases } from './demo-cases';

@Global()
@Module({ providers: [DemoCases], exports: [DemoCases] })
export class SeedModule {}
