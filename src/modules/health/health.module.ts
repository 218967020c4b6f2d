import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LogStoreModule } from '../log-search/log-store.module';
import { HealthController } from './health.controller';

/** Probes: the database through the shared connection, OpenSearch through the log store. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), LogStoreModule],
  controllers: [HealthController],
})
export class HealthModule {}
