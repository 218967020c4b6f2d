import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with the next CreateInvalidation request:
 * - throttle:       answer 400 Throttling (as CloudFront does), nothing reaches moto
 * - too-many:       answer 400 TooManyInvalidationsInProgress
 * - unavailable:    answer 503 ServiceUnavailable
 * - deny:           answer 403 AccessDenied (not retryable)
 * - drop:           close the connection without forwarding
 * - drop-after:     forward to moto (it creates the invalidation), then close without answering
 * - hold-before:    keep the request open without forwarding it (until the proxy closes)
 * - hold-after:     forward to moto, then keep the connection open without answering
 */
export type Fault =
  | 'throttle'
  | 'too-many'
  | 'unavailable'
  | 'deny'
  | 'drop'
  | 'drop-after'
  | 'hold-before'
  | 'hold-after';

const ERRORS: Record<string, { status: number; code: string; message: string }> = {
  throttle: { status: 400, code: 'Throttling', message: 'Rate exceeded' },
  'too-many': {
    status: 400,
    code: 'TooManyInvalidationsInProgress',
    message: 'Processing your request will cause you to exceed the maximum number of in-progress',
  },
  unavailable: { status: 503, code: 'ServiceUnavailable', message: 'Service unavailable' },
  deny: { status: 403, code: 'AccessDenied', message: 'Access denied' },
};

export interface ProxyEvent {
  fault: Fault | 'pass';
  /** Process id of the sender, from its user agent (`sa-pid/<pid>`), when present. */
  senderPid: number | null;
  /** Moment the proxy saw the request; the test uses `held` events to kill the sender. */
  at: number;
}

const CREATE_INVALIDATION = /^\/\d{4}-\d{2}-\d{2}\/distribution\/[^/]+\/invalidation\/?$/;

/**
 * A small HTTP proxy in front of moto that injects CloudFront faults into CreateInvalidation
 * calls (every other call passes through). Faults are consumed in order, one per request.
 */
export class CloudFrontFaultProxy {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<ServerResponse>();
  private readonly faults: Fault[] = [];
  private readonly waiters: Array<(e: ProxyEvent) => void> = [];
  /** Every CreateInvalidation seen, with what was done to it. */
  readonly events: ProxyEvent[] = [];
  /** Extra latency before forwarding each CreateInvalidation (widens the window for a kill). */
  createDelayMs = 0;

  private constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(target: string): Promise<CloudFrontFaultProxy> {
    const proxy = new CloudFrontFaultProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Resolves with the next CreateInvalidation event (or one already seen at index `after`). */
  nextEvent(after = this.events.length, timeoutMs = 30000): Promise<ProxyEvent> {
    if (this.events.length > after) return Promise.resolve(this.events[after]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no CreateInvalidation reached the proxy within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push((event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
  }

  get createRequests(): number {
    return this.events.length;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(fault: ProxyEvent['fault'], req: IncomingMessage): void {
    const agent = `${String(req.headers['user-agent'] ?? '')} ${String(req.headers['x-amz-user-agent'] ?? '')}`;
    const pid = /sa-pid\/(\d+)/.exec(agent);
    const event = { fault, senderPid: pid ? Number(pid[1]) : null, at: Date.now() };
    this.events.push(event);
    for (const w of this.waiters.splice(0)) w(event);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const isCreate = req.method === 'POST' && CREATE_INVALIDATION.test(req.url ?? '');
    if (!isCreate) return this.forward(req, body, res);

    const fault = this.faults.shift();
    if (this.createDelayMs > 0) await sleep(this.createDelayMs);
    // Recorded once the fault has taken effect (for the -after ones: once moto has the request).
    switch (fault) {
      case undefined:
        await this.forward(req, body, res);
        this.record('pass', req);
        return;
      case 'throttle':
      case 'too-many':
      case 'unavailable':
      case 'deny': {
        const e = ERRORS[fault];
        res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
        this.record(fault, req);
        res.end(
          `<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${e.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      case 'drop':
        req.socket.destroy();
        this.record(fault, req);
        return;
      case 'drop-after':
        await this.forward(req, body, null);
        req.socket.destroy();
        this.record(fault, req);
        return;
      case 'hold-before':
        this.held.add(res);
        this.record(fault, req);
        return;
      case 'hold-after':
        await this.forward(req, body, null);
        this.held.add(res);
        this.record(fault, req);
        return;
    }
  }

  /** Sends the request on to moto; relays the answer to `res` unless it is null. */
  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse | null): Promise<void> {
    return new Promise((resolve) => {
      const upstream = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.target.host },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            if (res && !res.destroyed) {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(chunks));
            }
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        if (res && !res.destroyed) res.destroy();
        resolve();
      });
      upstream.end(body);
    });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
