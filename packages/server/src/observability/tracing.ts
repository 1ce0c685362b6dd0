import type { IncomingHttpHeaders } from 'node:http';

/**
 * Request tracing as the HTTP app sees it, without any OpenTelemetry type: the SDK is loaded by
 * {@link startTracing} only when an OTLP endpoint is configured, so a default start loads none
 * of it.
 */
export interface TracingOptions {
  /** Where spans are posted (OTLP over HTTP, JSON). */
  tracesUrl: string;
  serviceName: string;
  /** The SDK could not export (collector down, refused); spans are dropped, requests go on. */
  onError(message: string): void;
}

export interface RequestInfo {
  method: string;
  /** The matched route pattern; undefined when none matched. */
  route: string | undefined;
  /** Read for `traceparent` / `tracestate` only. */
  headers: IncomingHttpHeaders;
  requestId: string;
  scheme: string;
  httpVersion: string;
}

export interface RequestSpan {
  /** Ends the span with the reply's status. Only the first end counts. */
  end(statusCode: number): void;
  /** Ends the span of a request the client gave up on before its reply. */
  abort(): void;
}

export interface HttpTracer {
  startRequest(request: RequestInfo): RequestSpan;
  /** Exports the spans still buffered, then stops. Idempotent. */
  shutdown(): Promise<void>;
}

export async function startTracing(options: TracingOptions): Promise<HttpTracer> {
  const { createOtelTracer } = await import('./otel-tracer.ts');
  return createOtelTracer(options);
}
