import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { type DestinationStreamWithMetadata, type Logger } from 'pino';

/** The `msg` of the one line per request; the log search and its dashboards look for it. */
export const REQUEST_COMPLETED = 'request completed';

const INFO = pino.levels.values.info;

/** What a pino logger keeps under its (exported) symbols, to write a line it would have written. */
interface PinoInternals {
  [pino.symbols.chindingsSym]: string;
  [pino.symbols.timeSym]: () => string;
  [pino.symbols.streamSym]: DestinationStreamWithMetadata;
}

/**
 * The one line per request: the fields of docs/logging.md's request line and nothing else.
 *
 * It is the root logger's line, byte for byte (same level, time, bindings and key order; the unit
 * test compares the two), but serialised here in one template: the fields are fixed, so there is
 * nothing for pino's generic work per call (its key walk, per-value serialisers, redaction) to do,
 * and in a profile of `/health/live` that work was most of the cost of logging a request. The line
 * goes to the logger's own destination (stdout, and the in-app shipper when it is on), honouring
 * pino's metadata protocol for streams that ask for it (a multistream routes by `lastLevel`).
 * No header, body or credential is in it; the URL is logged as sent, as before.
 */
export class AccessLog {
  private readonly logger: Logger;
  private readonly internals: PinoInternals;

  constructor(root: Logger) {
    this.logger = root;
    this.internals = root as unknown as PinoInternals;
  }

  write(
    request: Pick<FastifyRequest, 'id' | 'method' | 'url'>,
    reply: Pick<FastifyReply, 'statusCode' | 'elapsedTime'>,
    route: string | undefined,
  ): void {
    // The level can be changed at run time (logger.level = 'warn'): read it per line.
    if (this.logger.levelVal > INFO) return;
    const { internals } = this;
    const time = internals[pino.symbols.timeSym]();
    const responseTimeMs = Math.round(reply.elapsedTime * 100) / 100;
    const line =
      `{"level":${INFO}${time}${internals[pino.symbols.chindingsSym]}` +
      `,"requestId":${JSON.stringify(request.id)},"method":${JSON.stringify(request.method)}` +
      `,"route":${route === undefined ? 'null' : JSON.stringify(route)}` +
      `,"url":${JSON.stringify(request.url)},"statusCode":${reply.statusCode}` +
      `,"responseTimeMs":${responseTimeMs},"msg":"${REQUEST_COMPLETED}"}\n`;
    const stream = internals[pino.symbols.streamSym];
    if (stream[pino.symbols.needsMetadataGsym] === true) {
      Object.assign(stream, {
        lastLevel: INFO,
        lastTime: time.slice(time.indexOf(':') + 1),
        lastMsg: REQUEST_COMPLETED,
        lastObj: { requestId: request.id, route, statusCode: reply.statusCode },
        lastLogger: this.logger,
      });
    }
    stream.write(line);
  }
}
