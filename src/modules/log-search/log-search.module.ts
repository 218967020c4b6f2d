import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { LogShipper } from '../../core/logging/log-shipper';
import { LogIndexInstaller } from './log-index.installer';
import { LogSearchAdminController } from './log-search.admin.controller';
import { LogSearchService } from './log-search.service';
import { LogStoreModule } from './log-store.module';

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
      imports: [LogStoreModule],
      controllers: [LogSearchAdminController],
      providers: [
        ...(shipper ? [{ provide: LogShipper, useValue: shipper }] : []),
        LogShipperLifecycle,
        LogIndexInstaller,
        LogSearchService,
      ],
    };
  }
}
