import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DbCommandMetrics } from './db-metrics';

/** Subscribes the metrics to the shared connection's driver client. */
@Injectable()
export class DbMetricsSubscriber implements OnModuleInit, OnModuleDestroy {
  private detach?: () => void;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onModuleInit(): void {
    this.detach = new DbCommandMetrics().attach(this.connection.getClient());
  }

  onModuleDestroy(): void {
    this.detach?.();
  }
}
