import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { Logger } from 'pino';
import type { LogShipper } from './core/logging/log-shipper';
import { PublicCacheModule } from './core/cache/public-cache.module';
import { AppConfig } from './core/config/app-config';
import { SchemaSetupModule } from './core/database/schema-setup';
import { ConfigModule } from './core/config/config.module';
import { buildMongoOptions } from './core/config/mongo-options';
import { LifecycleModule } from './core/lifecycle/lifecycle.module';
import { LoggingModule } from './core/logging/logging.module';
import { MetricsModule } from './core/metrics/metrics.module';
import { AuditModule } from './modules/audit/audit.module';
import { CacheInvalidationModule } from './modules/cache-invalidation/cache-invalidation.module';
import { HealthModule } from './modules/health/health.module';
import { IdentityModule } from './modules/identity/identity.module';
import { LogSearchModule } from './modules/log-search/log-search.module';
import { PageActionsModule } from './modules/page-actions/page-actions.module';
import { PagesModule } from './modules/pages/pages.module';
import { SchedulesModule } from './modules/schedules/schedules.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, logShipper?: LogShipper): DynamicModule {
    const { uri, ...mongoOptions } = buildMongoOptions(config.mongo);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        MongooseModule.forRoot(uri as string, mongoOptions),
        LifecycleModule,
        PublicCacheModule,
        SchemaSetupModule,
        MetricsModule,
        AuditModule,
        IdentityModule,
        PagesModule,
        SchedulesModule,
        CacheInvalidationModule,
        PageActionsModule,
        HealthModule,
        LogSearchModule.forRoot(logShipper),
      ],
    };
  }
}
