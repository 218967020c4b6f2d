import type { EventEmitter } from 'node:events';
import { histogram } from './registry';

/** The parts of the driver's command monitoring events this module reads. */
export interface CommandStarted {
  requestId: number;
  commandName: string;
  command: Record<string, unknown>;
}
export interface CommandFinished {
  requestId: number;
  commandName: string;
  /** Milliseconds. */
  duration: number;
}

/** Label for anything outside the bounded sets below. */
export const OTHER = 'other';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Collections are few and named by the code; the cap only guards against a runaway. */
const MAX_COLLECTIONS = 64;
/** Started commands still waiting for their outcome; more means events are being lost. */
const MAX_PENDING = 10_000;

const duration = histogram({
  name: 'db_operation_duration_seconds',
  help: 'Database command duration in seconds (driver command monitoring), by command, collection and outcome',
  labelNames: ['command', 'collection', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * The collection a command addresses: the value of its first key for CRUD commands
 * (`{ find: 'pages' }`), the `collection` field for getMore; '' for database-level commands.
 */
export function collectionOf(event: CommandStarted): string {
  const target =
    event.commandName === 'getMore' ? event.command.collection : event.command[event.commandName];
  return typeof target === 'string' ? target : '';
}

/**
 * Turns the MongoDB driver's command events (the client needs `monitorCommands: true`) into
 * `db_operation_duration_seconds`. The collection is only in the started event, so it is held
 * by request id until the outcome arrives.
 */
export class DbCommandMetrics {
  private readonly pending = new Map<number, string>();
  private readonly collections = new Set<string>();

  attach(client: EventEmitter): () => void {
    const started = (e: CommandStarted) => this.started(e);
    const succeeded = (e: CommandFinished) => this.finished(e, 'success');
    const failed = (e: CommandFinished) => this.finished(e, 'failure');
    client.on('commandStarted', started);
    client.on('commandSucceeded', succeeded);
    client.on('commandFailed', failed);
    return () => {
      client.off('commandStarted', started);
      client.off('commandSucceeded', succeeded);
      client.off('commandFailed', failed);
      this.pending.clear();
    };
  }

  started(event: CommandStarted): void {
    if (this.pending.size >= MAX_PENDING) this.pending.clear();
    this.pending.set(event.requestId, this.collectionLabel(collectionOf(event)));
  }

  finished(event: CommandFinished, outcome: 'success' | 'failure'): void {
    const collection = this.pending.get(event.requestId) ?? '';
    this.pending.delete(event.requestId);
    const command = NAME.test(event.commandName) ? event.commandName : OTHER;
    duration.observe({ command, collection, outcome }, event.duration / 1000);
  }

  private collectionLabel(name: string): string {
    if (name === '' || this.collections.has(name)) return name;
    if (!NAME.test(name) || this.collections.size >= MAX_COLLECTIONS) return OTHER;
    this.collections.add(name);
    return name;
  }
}
