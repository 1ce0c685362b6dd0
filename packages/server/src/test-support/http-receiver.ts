import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on loopback standing in for the outside world (a merchant's webhook
 * endpoint, an SMS provider): it records every request as received, raw body included, and
 * answers as scripted. Honest about failure: a scripted "down" closes the connection, a
 * scripted status is sent as such, a "hang" never answers.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  at: number;
}

/** What the next request gets: a status (with optional body and headers), a dropped connection, or no answer. */
export type Scripted = number | { status: number; body?: string; headers?: Record<string, string> } | 'drop' | 'hang';

export interface HttpReceiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Answers for the next requests, in order; after them, `fallback` (200 by default). */
  script(...answers: Scripted[]): void;
  setFallback(answer: Scripted): void;
  /** Waits `ms` after each request has arrived (and been recorded) before answering it; 0 (the default) answers at once. */
  setDelay(ms: number): void;
  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const queue: Scripted[] = [];
  let fallback: Scripted = 200;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const hanging = new Set<http.ServerResponse>();
  let delayMs = 0;
  const delayed = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      for (const w of [...waiters]) {
        if (received.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const answer = queue.length > 0 ? queue.shift()! : fallback;
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      const { status, body, headers } = typeof answer === 'number' ? { status: answer, body: undefined, headers: undefined } : answer;
      const reply = () => void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body ?? JSON.stringify({ ok: status < 300 }));
      if (delayMs <= 0) {
        reply();
        return;
      }
      const timer = setTimeout(() => {
        delayed.delete(timer);
        // The sender may have gone meanwhile (a killed worker): nobody to answer.
        if (!res.destroyed && !req.socket.destroyed) reply();
      }, delayMs);
      delayed.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    script: (...answers) => void queue.push(...answers),
    setFallback: (answer) => void (fallback = answer),
    setDelay: (ms) => void (delayMs = ms),
    waitFor(count, timeoutMs = 10_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} requests; got ${received.length}`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    async close() {
      for (const timer of delayed) clearTimeout(timer);
      delayed.clear();
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
