import mongoose, { type Connection } from 'mongoose';

type MongoClient = mongoose.mongo.MongoClient;
type Document = mongoose.mongo.Document;
type CommandStartedEvent = mongoose.mongo.CommandStartedEvent;

/**
 * Records what a MongoClient (or a mongoose connection's client) sends to the server, from the
 * driver's command monitoring (`commandStarted`), so tests can assert on read preferences and
 * query shapes.
 *
 * Why command monitoring is enough: the driver builds the `commandStarted` event from the very
 * message it then writes to the socket, after it has decided `$readPreference`
 * (mongodb/lib/cmap/connection.js, `prepareCommand` then `sendCommand`). Checked against the
 * stack's FerretDB run as replica set `rs0` (mongodb 7.8, mongoose 9.12): a read with
 * `secondaryPreferred` (given on the read or as the connection default) carries
 * `$readPreference: {mode: 'secondaryPreferred'}`; a `primary` read and every write carry none.
 * A throwaway OP_MSG-parsing TCP proxy in front of FerretDB saw the same `$readPreference` on the
 * wire, command for command. The rules that make a local stack blind to read preferences, and why
 * the stack runs as a replica set without `directConnection`:
 * - server type Standalone (FerretDB without `--repl-set-name`): the driver never sends
 *   `$readPreference`;
 * - `directConnection=true` (topology Single): a primary read is sent as `primaryPreferred`.
 *
 * The client must have been created with `monitorCommands: true` (the service's connection is,
 * see core/config/mongo-options.ts); connections opened before that setting changes would not
 * emit events, so `attach` refuses a client without it rather than record nothing.
 */
export interface RecordedCommand {
  /** e.g. find, aggregate, findAndModify, update, insert, getMore */
  name: string;
  database: string;
  /** The collection the command names (`getMore`: its `collection` field); absent for db-level commands. */
  collection?: string;
  /** `$readPreference.mode` as sent; absent when the driver sent none (primary reads, writes). */
  readPreference?: string;
  /**
   * The query filters: `filter` (find), `query` (findAndModify, count, distinct), each statement's
   * `q` (update, delete). Empty for commands without one (aggregate: see `pipeline`).
   */
  filters: Document[];
  /** As a plain object, keys in the order sent. */
  sort?: Document;
  limit?: number;
  projection?: Document;
  pipeline?: Document[];
  /** The command document as sent (shared with the driver: read, don't modify; `sort` may be a Map). */
  command: Document;
}

export class CommandRecorder {
  private readonly recorded: RecordedCommand[] = [];
  private readonly listener = (event: CommandStartedEvent) => {
    this.recorded.push(toRecorded(event));
  };

  private constructor(private readonly client: MongoClient) {
    client.on('commandStarted', this.listener);
  }

  /** Starts recording everything `target` sends from now on. */
  static attach(target: MongoClient | Connection): CommandRecorder {
    const client = target instanceof mongoose.mongo.MongoClient ? target : target.getClient();
    if (!client.options.monitorCommands)
      throw new Error('CommandRecorder needs a client created with monitorCommands: true');
    return new CommandRecorder(client);
  }

  /** Everything recorded so far, in the order the driver sent it. */
  get commands(): readonly RecordedCommand[] {
    return this.recorded;
  }

  /** The recorded commands that name one collection. */
  on(collection: string): RecordedCommand[] {
    return this.recorded.filter((c) => c.collection === collection);
  }

  clear(): void {
    this.recorded.length = 0;
  }

  detach(): void {
    this.client.off('commandStarted', this.listener);
  }
}

function toRecorded(event: CommandStartedEvent): RecordedCommand {
  const command = event.command;
  const name = event.commandName;
  const target: unknown = name === 'getMore' ? command.collection : command[name];
  const readPreference: unknown = (command.$readPreference as Document | undefined)?.mode;
  const statements: unknown =
    name === 'update' ? command.updates : name === 'delete' ? command.deletes : undefined;
  const filters = [
    command.filter,
    command.query,
    ...(Array.isArray(statements) ? (statements as Document[]).map((s) => s.q) : []),
  ].filter((f): f is Document => typeof f === 'object' && f !== null);
  return {
    name,
    database: event.databaseName,
    collection: typeof target === 'string' ? target : undefined,
    readPreference: typeof readPreference === 'string' ? readPreference : undefined,
    filters,
    sort: asDocument(command.sort),
    limit: typeof command.limit === 'number' ? command.limit : undefined,
    projection: (command.projection ?? command.fields) as Document | undefined,
    pipeline: Array.isArray(command.pipeline) ? (command.pipeline as Document[]) : undefined,
    command,
  };
}

/** The driver sends a sort as a Map (to keep key order); a plain object keeps that order too. */
function asDocument(value: unknown): Document | undefined {
  if (value instanceof Map) return Object.fromEntries(value);
  return typeof value === 'object' && value !== null ? value : undefined;
}
