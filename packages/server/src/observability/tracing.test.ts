import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../test-support/engines.ts';
import { startGateway, type TestGateway } from '../test-support/gateway.ts';
import { startHttpReceiver, type HttpReceiver } from '../test-support/http-receiver.ts';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

const attributes = (list: OtlpAttribute[]) => Object.fromEntries(list.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue]));

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

describeEngines('request tracing over OTLP', (ctx) => {
  let collector: HttpReceiver;
  let gw: TestGateway;

  beforeAll(async () => {
    collector = await startHttpReceiver();
    gw = await startGateway(ctx.db, { tracing: { tracesUrl: `${collector.url}/v1/traces`, serviceName: 'fawtara-under-test' } });
  });
  afterAll(async () => {
    await gw.close();
    await collector.close();
  });

  it('exports a span per request, child of the caller’s traceparent, named by route pattern, flushed on close', async () => {
    const traced = await gw.app.inject({
      method: 'GET',
      url: '/health',
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, 'x-request-id': 'lb-trace-1' },
    });
    expect(traced.statusCode).toBe(200);
    const page = await gw.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(page.statusCode).toBe(404);
    const missing = await gw.app.inject({ method: 'GET', url: '/no/such/thing' });
    expect(missing.statusCode).toBe(404);
    // Closing flushes what the batch still holds: every span above is in the exports by then.
    await gw.close();
    const posts = collector.received.filter((r) => r.path === '/v1/traces');
    expect(posts.length).toBeGreaterThanOrEqual(1);
    const post = posts.at(-1);
    expect(post!.method).toBe('POST');
    expect(post!.path).toBe('/v1/traces');
    expect(post!.headers['content-type']).toMatch(/^application\/json/);
    const bodies = posts.map((p) => JSON.parse(p.rawBody) as OtlpExport);
    const resources = bodies.flatMap((b) => b.resourceSpans);
    expect(resources.map((r) => attributes(r.resource.attributes)['service.name'])).toEqual(resources.map(() => 'fawtara-under-test'));
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const exported = posts.map((p) => p.rawBody).join('\n');

    const health = spans.find((s) => s.name === 'GET /health');
    expect(health, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(health!.traceId).toBe(TRACE_ID);
    expect(health!.parentSpanId).toBe(PARENT_ID);
    expect(health!.kind).toBe(2); // SERVER
    expect(attributes(health!.attributes)).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/health',
      'http.response.status_code': 200,
      'fawtara.request_id': 'lb-trace-1',
      'url.scheme': 'http',
    });

    // Without a traceparent: a trace of its own. Named by the pattern; the key is nowhere.
    const pageSpan = spans.find((s) => s.name === 'GET /s/:key');
    expect(pageSpan).toBeDefined();
    expect(pageSpan!.traceId).not.toBe(TRACE_ID);
    expect(pageSpan!.parentSpanId ?? '').toBe('');
    expect(attributes(pageSpan!.attributes)['http.response.status_code']).toBe(404);
    expect(attributes(pageSpan!.attributes)['fawtara.request_id']).toBe(page.headers['x-request-id']);
    expect(exported).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAA');
    // A request no route matched is named by its method alone.
    expect(spans.filter((s) => s.name === 'GET')).toHaveLength(1);
    expect(exported).not.toContain('/no/such/thing');
  });
});

describe('without an OTLP endpoint', () => {
  it('no module but otel-tracer.ts imports OpenTelemetry, and only a dynamic import loads it', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const sources = (await readdir(root, { recursive: true })).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith('test-support'));
    const importers: string[] = [];
    const loaders: string[] = [];
    for (const file of sources) {
      const text = await readFile(path.join(root, file), 'utf8');
      if (/from '@opentelemetry\//.test(text)) importers.push(file);
      if (/otel-tracer\.ts'/.test(text)) loaders.push(`${file}: ${/await import\('\.\/otel-tracer\.ts'\)/.test(text) ? 'dynamic' : 'static'}`);
    }
    expect(importers).toEqual([path.join('observability', 'otel-tracer.ts')]);
    expect(loaders).toEqual([`${path.join('observability', 'tracing.ts')}: dynamic`]);
  });
});
