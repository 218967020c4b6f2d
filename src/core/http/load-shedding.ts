import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { errorBody } from '../errors/all-exceptions.filter';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import type { ErrorResponseDto } from '../errors/error-response.dto';

/**
 * Probes that must answer under load: a slow pod that fails liveness is restarted, which only
 * moves its load elsewhere. Readiness is not shed either: it reports the pressure itself
 * (`HealthController.ready`), so the pod leaves the Service until it recovers. /metrics has a
 * server of its own and is never seen here.
 */
const NEVER_SHED = ['/health/live', '/health/startup', '/health/ready'];

const exempt = (url: string): boolean =>
  NEVER_SHED.some((path) => url === path || url.startsWith(`${path}?`));

/**
 * Load shedding by @fastify/under-pressure: while the event loop's mean delay or the heap in use
 * is above its threshold, requests are answered at once with `503`, `Retry-After` and the usual
 * error body, before routing, parsing or any database work.
 */
export async function registerLoadShedding(
  fastify: FastifyInstance,
  settings: AppConfig['loadShedding'],
): Promise<void> {
  const retryAfter = settings.retryAfterSeconds;
  // The first samples would measure the boot itself (module loading, DI, index builds): armed
  // only two samples after the server is ready, so a fresh pod does not shed its first requests.
  let armedAt = Infinity;
  fastify.addHook('onReady', (done) => {
    armedAt = Date.now() + 2 * settings.sampleIntervalMs;
    done();
  });
  const armed = () => Date.now() >= armedAt;
  pressure.set(fastify, () => armed() && fastify.isUnderPressure());
  // under-pressure sends what the handler returns (its index.js; the typings say void) and lets
  // the request through on `undefined`. Sending from the handler instead would race the route.
  const shed = (request: FastifyRequest, reply: FastifyReply): ErrorResponseDto | undefined => {
    if (exempt(request.url) || !armed()) return undefined;
    const code = ErrorCode.Overloaded;
    void reply
      .status(ERROR_STATUS[code])
      .header('retry-after', String(retryAfter))
      .header('cache-control', 'no-store');
    const message = `The server is overloaded; retry in ${retryAfter} s`;
    return errorBody({ status: ERROR_STATUS[code], code, message }, request.id);
  };
  await fastify.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    maxHeapUsedBytes: settings.maxHeapUsedBytes,
    sampleInterval: settings.sampleIntervalMs,
    retryAfter,
    pressureHandler: shed as unknown as FastifyUnderPressureOptions['pressureHandler'],
  });
}

const pressure = new WeakMap<FastifyInstance, () => boolean>();

/** Whether the process sheds load now (false when load shedding is not registered). */
export function underPressureNow(fastify: FastifyInstance): boolean {
  return pressure.get(fastify)?.() ?? false;
}
