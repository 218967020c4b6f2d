import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request being handled, for the log lines written while handling it (a service's
 * `Logger.log(...)` knows nothing of the request). Entered once per request by an onRequest hook;
 * the store is the id string itself, so entering allocates nothing of ours. Fastify keeps the
 * context across body parsing (AsyncResource), and promises carry it across awaits.
 */
export const requestScope = new AsyncLocalStorage<string>();

export function currentRequestId(): string | undefined {
  return requestScope.getStore();
}
