import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../lib/app-error.ts';
import { UNMATCHED_ROUTE, type GatewayMetrics } from './metrics.ts';

/** The route pattern a request matched (`/s/:key`), never its URL: ids must not become label values. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Counts and times every request, 404s and errors included, once its reply is sent. */
export function installHttpMetrics(app: FastifyInstance, metrics: Pick<GatewayMetrics, 'httpRequest'>): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
  });
}

/**
 * `GET /metrics` in Prometheus's text format. Open unless a token is configured: its values are
 * counts without merchant data (see metrics.ts), and a scraper usually reaches the process on
 * its own network. Where the port is reachable from outside, FAWTARA_METRICS_TOKEN makes it
 * answer only `Authorization: Bearer <token>`.
 */
export function registerMetricsRoute(app: FastifyInstance, deps: { metrics: Pick<GatewayMetrics, 'registry'>; token: string | undefined }): void {
  const expected = deps.token === undefined ? undefined : digest(deps.token);
  const { registry } = deps.metrics;
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected !== undefined) {
      const header = request.headers.authorization;
      const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      // Digests of equal length, so the comparison takes the same time whatever was sent.
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        throw new AppError('INVALID_TOKEN', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
      }
    }
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(body);
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
