import { Global, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import mongoose, { type Connection, type Model } from 'mongoose';
import { AppConfig } from '../config/app-config';
import { buildMongoOptions } from '../config/mongo-options';

/**
 * Index builds at start-up, on a connection of their own. Every operation of the service's
 * connection is bounded by MONGODB_OPERATION_TIMEOUT_MS (seconds), but building a new index over
 * an existing collection (tens of thousands of pages on the first deploy that declares it) can
 * take longer; under the short bound the build would time out, the process exit and the pod
 * restart into the same timeout. This connection waits up to MONGODB_STARTUP_TIMEOUT_MS instead
 * and is closed once the application has started.
 */
@Injectable()
export class SchemaSetup implements OnApplicationBootstrap {
  private readonly logger = new Logger(SchemaSetup.name);
  private connection: Promise<Connection> | null = null;

  constructor(private readonly config: AppConfig) {}

  /** The same model on the start-up connection: for one-off start-up scans (migrations). */
  async startupModel<T>(model: Model<T>): Promise<Model<T>> {
    const connection = await this.open();
    return connection.model<T>(model.modelName, model.schema, model.collection.collectionName);
  }

  /** Creates the model's declared indexes (a no-op for those that exist). */
  async ensureIndexes<T>(model: Model<T>): Promise<void> {
    const started = Date.now();
    await (await this.startupModel(model)).createIndexes();
    const took = Date.now() - started;
    if (took > 1000)
      this.logger.log({ collection: model.collection.collectionName, ms: took }, 'indexes built');
  }

  async onApplicationBootstrap(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    if (connection) await (await connection).close();
  }

  private open(): Promise<Connection> {
    if (!this.connection) {
      const { uri, ...options } = buildMongoOptions(this.config.mongo);
      this.connection = mongoose
        .createConnection(uri as string, {
          ...options,
          monitorCommands: false,
          socketTimeoutMS: this.config.mongo.startupTimeoutMs,
        })
        .asPromise();
    }
    return this.connection;
  }
}

@Global()
@Module({ providers: [SchemaSetup], exports: [SchemaSetup] })
export class SchemaSetupModule {}
