import type { MongooseModuleOptions } from '@nestjs/mongoose';
import type { AppConfig } from './app-config';

/**
 * Connection options that work on Amazon DocumentDB (and FerretDB locally):
 * no retryable writes, TLS with the AWS CA bundle when a CA file is configured,
 * fail-fast behaviour instead of buffering commands while disconnected, and a time bound on
 * every step of an operation.
 */
export function buildMongoOptions(mongo: AppConfig['mongo']): MongooseModuleOptions {
  const options: MongooseModuleOptions = {
    uri: mongo.uri,
    retryWrites: mongo.retryWrites,
    readPreference: mongo.readPreference,
    serverSelectionTimeoutMS: mongo.serverSelectionTimeoutMs,
    // Every operation is bounded: connecting, and waiting for each reply.
    connectTimeoutMS: mongo.serverSelectionTimeoutMs,
    socketTimeoutMS: mongo.operationTimeoutMs,
    // ...and waiting for a pooled connection: without it (the driver's default is no limit) a
    // request waits its turn behind every other checkout while new connections to a hung
    // database time out two at a time (maxConnecting), so a crowd of requests stalls.
    waitQueueTimeoutMS: mongo.serverSelectionTimeoutMs,
    // Requests should fail fast (503) while the database is away, not queue in memory.
    bufferCommands: false,
    // Indexes are created explicitly at start-up by the repositories, once.
    autoIndex: false,
    autoCreate: false,
    appName: 'sponsored-agents',
    // Command events feed the db_operation_duration_seconds histogram (core/metrics).
    monitorCommands: true,
  };
  if (mongo.tlsCaFile) {
    options.tls = true;
    options.tlsCAFile = mongo.tlsCaFile;
  }
  return options;
}
