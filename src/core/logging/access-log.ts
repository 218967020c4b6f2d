import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** The `msg` of the one line per request; the log search and its dashboards look for it. */
export const REQUEST_COMPLETED = 'request completed';

/**
 * The one line per request: the fields of docs/logging.md's request line and nothing else, in one
 * object that pino serialises once. No request/response serializers and no per-request child
 * logger (pino-http's cost, see bench/README.md).
 */
export class AccessLog {
  private readonly logger: Logger;

  constructor(root: Logger) {
    // Made once. Its fields are fixed and hold no header, body or credential, so it skips the root
    // logger's wildcard redaction (`*.token`...), which costs several times the rest of the line.
    this.logger = root.child({}, { redact: [] });
  }

  write(
    request: Pick<FastifyRequest, 'id' | 'method' | 'url'>,
    reply: Pick<FastifyReply, 'statusCode' | 'elapsedTime'>,
    route: string | undefined,
  ): void {
    this.logger.info(
      {
        requestId: request.id,
        method: request.method,
        route: route ?? null,
        url: request.url,
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      REQUEST_COMPLETED,
    );
  }
}
