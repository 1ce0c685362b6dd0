import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpTracer, RequestSpan } from './tracing.ts';

/** A span per request, from its arrival (the first hook) to its reply being sent. */
export function installHttpTracing(app: FastifyInstance, tracer: HttpTracer): void {
  const spans = new WeakMap<FastifyRequest, RequestSpan>();
  app.addHook('onRequest', async (request) => {
    spans.set(
      request,
      tracer.startRequest({
        method: request.method,
        route: request.routeOptions.url,
        headers: request.headers,
        requestId: request.id,
        scheme: request.protocol,
        httpVersion: request.raw.httpVersion,
      }),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    spans.get(request)?.end(reply.statusCode);
  });
  app.addHook('onRequestAbort', async (request) => {
    spans.get(request)?.abort();
  });
}
