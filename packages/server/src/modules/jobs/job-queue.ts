import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database, Executor } from '../../db/database.ts';

/**
 * Durable jobs in the gateway's own database (pg-boss 10, on PostgreSQL and on PGlite through
 * the one gate). A job is sent in the same transaction as the change that causes it, through
 * that transaction's connection: if the change rolls back, so does the job; if it commits, the
 * job exists even if the process dies the next instant.
 *
 * Handlers must be idempotent: a worker killed mid-job leaves it active until it expires, and
 * pg-boss then runs it again.
 */
export const SCHEMA = 'pgboss';

/** Every queue, with how pg-boss retries a job whose handler crashed or timed out. */
export const QUEUES = {
  /** An invoice message to a customer (SMS, WhatsApp, e-mail). Provider failures retry with backoff. */
  delivery: { name: 'delivery.send', retryLimit: 8, retryDelay: 15, retryBackoff: true, expireInSeconds: 60 },
  /** One attempt of one webhook delivery; the webhooks service schedules the next attempt itself. */
  webhook: { name: 'webhook.deliver', retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 30 },
  /** Every minute: expire unpaid invoices past their day, send due reminders. */
  expiry: { name: 'invoices.expire', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 300 },
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]['name'];

/** How often an idle worker loop looks for jobs (pg-boss polls; 0.5 s is its minimum). */
const POLLING_SECONDS = 0.5;

/** pg-boss's view of a connection: the transaction's own, so a job commits with the change. */
function executorAdapter(db: Executor): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg-boss's own database interface types rows as any
      return { rows: result.rows as any[] };
    },
  };
}

export interface JobQueueOptions {
  database: Database;
  /** Whether this process runs cron schedules (the expiry job). */
  schedule?: boolean;
  onError?: (err: unknown) => void;
}

export interface Job<T> {
  id: string;
  data: T;
  retryCount: number;
  retryLimit: number;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export function createJobQueue(opts: JobQueueOptions) {
  // Every statement pg-boss runs on its own (not in a caller's transaction) is tracked, so that
  // stop() can wait for the completions pg-boss fires without awaiting them: the database must
  // not close under them.
  const inflight = new Set<Promise<unknown>>();
  const boss = new PgBoss({
    db: {
      executeSql: (text, values) => {
        const p = opts.database.executeSql(text, values);
        inflight.add(p);
        void p.finally(() => inflight.delete(p)).catch(() => undefined);
        return p;
      },
    },
    schema: SCHEMA,
    // The schema is installed by our own migrations (0005), so a running gateway never has to
    // race another process to create it; pg-boss only checks its version.
    migrate: false,
    supervise: true,
    schedule: opts.schedule ?? true,
    // Also how soon a job a killed worker held is given to another worker (after it expires).
    maintenanceIntervalSeconds: 10,
    // Completed jobs are history we keep in our own tables; pg-boss may forget them soon.
    deleteAfterHours: 24,
  });
  boss.on('error', (err) => opts.onError?.(err));
  const workers = new Map<string, string[]>();
  let started = false;
  let stopping: Promise<void> | undefined;
  /** Handlers running now. */
  let active = 0;

  return {
    /**
     * Starts pg-boss's background work (job expiry, cron) for a process that runs workers.
     * Sending needs no start: API processes only send.
     */
    async start(): Promise<void> {
      if (started) return;
      await boss.start();
      started = true;
    },

    /**
     * Sends a job. Inside a transaction pass it as `db`, so the job commits or rolls back with
     * the change; without one the job is sent on its own.
     */
    async send(queue: QueueName, data: object, options: { db?: Executor; startAfter?: Date } = {}): Promise<string> {
      const id = await boss.send(queue, data, {
        ...(options.db ? { db: executorAdapter(options.db) } : {}),
        ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      });
      if (id === null) throw new Error(`pg-boss refused a job for ${queue}`);
      return id;
    },

    /**
     * Runs `handler` for each job, up to `concurrency` at a time. A handler that throws fails
     * that job alone (pg-boss retries it with the queue's backoff); the others complete.
     *
     * The concurrency is spread over several fetch loops of at most `batch` jobs: pg-boss waits
     * for a whole batch before fetching again, so one slow job (a receiver taking its full
     * timeout) holds back only its own loop. After a full batch a loop fetches again at once;
     * pg-boss would otherwise sleep out its polling interval (capping a loop at batch/0.5 s).
     */
    async work<T>(queue: QueueName, handler: JobHandler<T>, options: { concurrency?: number; batch?: number } = {}): Promise<void> {
      const concurrency = options.concurrency ?? 10;
      const batch = Math.min(options.batch ?? 10, concurrency);
      for (let loop = 0; loop < Math.ceil(concurrency / batch); loop++) {
        const self: string = await boss.work<T>(queue, { batchSize: batch, includeMetadata: true, pollingIntervalSeconds: POLLING_SECONDS }, async (jobs) => {
          if (jobs.length >= batch && self) boss.notifyWorker(self);
          const failures: Array<{ id: string; err: unknown }> = [];
          active += jobs.length;
          await Promise.all(
            jobs.map(async (job) => {
              try {
                await handler({ id: job.id, data: job.data, retryCount: job.retryCount, retryLimit: job.retryLimit });
              } catch (err) {
                failures.push({ id: job.id, err });
              } finally {
                active -= 1;
              }
            }),
          );
          // pg-boss completes the whole batch when this resolves; failed jobs are failed first
          // (and so are no longer active, which completion requires).
          for (const f of failures) {
            opts.onError?.(f.err);
            await boss.fail(queue, f.id, { message: f.err instanceof Error ? f.err.message : String(f.err) });
          }
        });
        workers.set(queue, [...(workers.get(queue) ?? []), self]);
      }
    },

    /** Wakes this process's idle workers of `queue` now instead of at their next poll. */
    notify(queue: QueueName): void {
      for (const id of workers.get(queue) ?? []) boss.notifyWorker(id);
    },

    /** Runs `queue` on a cron schedule (one run per tick across all processes). */
    async schedule(queue: QueueName, cron: string): Promise<void> {
      await boss.schedule(queue, cron, {}, { tz: 'UTC' });
    },

    /** Jobs not yet finished in `queue` (created, retry or active). */
    async pending(queue: QueueName): Promise<number> {
      return boss.getQueueSize(queue);
    },

    /**
     * Stops fetching, lets running handlers finish (up to `timeoutMs`), waits for pg-boss's own
     * last statements, then returns: the database may close after this. Concurrent callers
     * wait for the same stop.
     */
    stop(timeoutMs = 10_000): Promise<void> {
      stopping ??= (async () => {
        if (!started) return;
        const deadline = Date.now() + timeoutMs;
        await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
        while ((active > 0 || inflight.size > 0) && Date.now() < deadline) {
          await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, 50))]);
        }
        workers.clear();
        started = false;
      })().finally(() => {
        stopping = undefined;
      });
      return stopping;
    },
  };
}

export type JobQueue = ReturnType<typeof createJobQueue>;
