import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { AdminAuthGuard } from '../../core/auth/admin-auth.guard';
import { AppConfig } from '../../core/config/app-config';
import { LogShipper } from '../../core/logging/log-shipper';
import { LogIndexInstaller } from './log-index.installer';
import { LogSearchAdminController } from './log-search.admin.controller';
import { LogSearchService } from './log-search.service';
import { LogRepository } from './log.repository';
import { OpenSearchHealthIndicator } from './opensearch.health';

/** Flushes the in-app shipper (created with the root logger, before the app) on shutdown. */
@Injectable()
export class LogShipperLifecycle implements OnApplicationShutdown {
  constructor(@Optional() @Inject(LogShipper) private readonly shipper: LogShipper | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.shipper?.close();
  }
}

@Module({})
export class LogSearchModule {
  static forRoot(shipper?: LogShipper): DynamicModule {
    return {
      module: LogSearchModule,
      // Global so that health can report OpenSearch without importing this module a second time.
      global: true,
      controllers: [LogSearchAdminController],
      providers: [
        {
          provide: LogRepository,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => LogRepository.fromConfig(config),
        },
        ...(shipper ? [{ provide: LogShipper, useValue: shipper }] : []),
        LogShipperLifecycle,
        LogIndexInstaller,
        LogSearchService,
        OpenSearchHealthIndicator,
        AdminAuthGuard,
      ],
      exports: [OpenSearchHealthIndicator],
    };
  }
}
