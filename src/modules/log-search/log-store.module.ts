import { Module } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { LogRepository } from './log.repository';
import { OpenSearchHealthIndicator } from './opensearch.health';

/**
 * The OpenSearch log store (one LogRepository per app) and its readiness check. A static module
 * of its own so that health can import the check without the log search routes.
 */
@Module({
  providers: [
    {
      provide: LogRepository,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => LogRepository.fromConfig(config),
    },
    OpenSearchHealthIndicator,
  ],
  exports: [LogRepository, OpenSearchHealthIndicator],
})
export class LogStoreModule {}
