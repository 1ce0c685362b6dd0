import { defaultTextMapGetter, diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVICE_NAME,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { HttpTracer, RequestSpan, TracingOptions } from './tracing.ts';

/** Not a semantic-conventions attribute: the id our logs and the `x-request-id` reply header carry. */
const ATTR_REQUEST_ID = 'fawtara.request_id';

/**
 * The OpenTelemetry side of tracing.ts, loaded only when tracing is on. Nothing global is
 * registered (no global tracer provider, propagator or context manager): the app is the only
 * producer of spans, and tests build several gateways in one process. The one global is the
 * SDK's diagnostic logger, pointed at ours so that failed exports are not silent.
 */
export function createOtelTracer(options: TracingOptions): HttpTracer {
  diag.setLogger(
    {
      error: (message) => options.onError(message),
      warn: (message) => options.onError(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: options.tracesUrl }) })],
  });
  const tracer = provider.getTracer('fawtara-http');
  const propagator = new W3CTraceContextPropagator();
  let shuttingDown: Promise<void> | undefined;

  return {
    startRequest(request): RequestSpan {
      // A caller's `traceparent` makes this span its child; its sampled flag is honoured (parent-based sampling).
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
      // Never the URL: paths carry invoice keys and encrypted payloads.
      const span = tracer.startSpan(
        request.route === undefined ? request.method : `${request.method} ${request.route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            ...(request.route === undefined ? {} : { [ATTR_HTTP_ROUTE]: request.route }),
            [ATTR_URL_SCHEME]: request.scheme,
            [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
            [ATTR_REQUEST_ID]: request.requestId,
          },
        },
        parent,
      );
      let ended = false;
      return {
        end(statusCode) {
          if (ended) return;
          ended = true;
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
          // A server span is in error for 5xx only: a 4xx is the client's mistake, answered correctly.
          if (statusCode >= 500) {
            span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
        abort() {
          if (ended) return;
          ended = true;
          span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection before the reply' });
          span.end();
        },
      };
    },
    shutdown: () => (shuttingDown ??= provider.shutdown()),
  };
}
