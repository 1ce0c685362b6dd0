import { fromKysely, PgBoss, type JobResult, type Queue } from 'pg-boss';
import type { Database, Executor } from '../../db/database.ts';

/**
 * Durable jobs in the gateway's own database (pg-boss 12, on PostgreSQL and on PGlite through
 * the one gate). A job is sent in the same transaction as the change that causes it, through
 * that transaction's connection: if the change rolls back, so does the job; if it commits, the
 * job exists even if the process dies the next instant.
 *
 * Handlers must be idempotent: a worker killed mid-job stops beating its heartbeat, and pg-boss
 * then runs the job again elsewhere.
 */
export const SCHEMA = 'pgboss';

/** A queue as our migrations create it: pg-boss's own queue options, with the name. */
type QueueSettings = Queue & Required<Pick<Queue, 'policy' | 'retryLimit' | 'expireInSeconds' | 'deleteAfterSeconds'>>;

/**
 * Every queue, with how pg-boss retries a job whose handler crashed, timed out or lost its
 * worker. Our migrations create them (changing a value here is a migration), so that API
 * processes, which never start pg-boss, can send at once.
 */
export const QUEUES = {
  /** An invoice message to a customer (SMS, WhatsApp, e-mail). Provider failures retry with backoff. */
  delivery: {
    name: 'delivery.send',
    policy: 'standard',
    retryLimit: 8,
    retryDelay: 15,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 60,
    heartbeatSeconds: 10,
    deleteAfterSeconds: 86_400,
  },
  /** One attempt of one webhook delivery; the webhooks service schedules the next attempt itself. */
  webhook: {
    name: 'webhook.deliver',
    policy: 'standard',
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: 30,
    heartbeatSeconds: 10,
    deleteAfterSeconds: 86_400,
  },
  /**
   * Every minute: expire unpaid invoices past their day, send due reminders. `exclusive`: one run
   * queued or running at a time, so a slow sweep is never overlapped by the next tick's.
   */
  expiry: {
    name: 'invoices.expire',
    policy: 'exclusive',
    retryLimit: 1,
    retryDelay: 30,
    retryBackoff: false,
    expireInSeconds: 300,
    deleteAfterSeconds: 86_400,
  },
} as const satisfies Record<string, QueueSettings>;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]['name'];

/** How often an idle worker looks for jobs (pg-boss's minimum); a full batch fetches again at once. */
const POLLING_SECONDS = 0.5;

/**
 * How often pg-boss's supervisor runs expiry and heartbeat checks: also how soon after its
 * heartbeat stops a job a killed worker held is given to another worker.
 */
const SUPERVISE_SECONDS = 10;

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
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

/**
 * The job queue of one process. Resolves once pg-boss knows every queue: it looks a queue up on
 * its own connection the first time it sends to it, and on PGlite that connection is the one a
 * caller's open transaction holds, so a first send inside a transaction would wait for itself.
 */
export async function createJobQueue(opts: JobQueueOptions) {
  // Every statement pg-boss runs on its own (not in a caller's transaction) is tracked, so that
  // stop() can wait for the last of them: the database must not close under them.
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
    backend: opts.database.engine === 'pglite' ? 'pglite' : 'postgres',
    schema: SCHEMA,
    // The schema is installed by our own migrations (0005, 0006), so a running gateway never has
    // to race another process to create it; pg-boss only checks its version.
    migrate: false,
    supervise: true,
    schedule: opts.schedule ?? true,
    superviseIntervalSeconds: SUPERVISE_SECONDS,
    monitorIntervalSeconds: SUPERVISE_SECONDS,
  });
  boss.on('error', (err) => opts.onError?.(err));
  let started = false;
  let stopping: Promise<void> | undefined;

  for (const { name } of Object.values(QUEUES)) await boss.findJobs(name, { id: '00000000-0000-0000-0000-000000000000' });

  return {
    /**
     * Starts pg-boss's background work (supervision, cron) for a process that runs workers.
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
        ...(options.db ? { db: fromKysely(options.db) } : {}),
        ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      });
      if (id === null) throw new Error(`pg-boss refused a job for ${queue}`);
      return id;
    },

    /**
     * Runs `handler` for each job, up to `concurrency` at a time. A handler that throws fails
     * that job alone (pg-boss retries it with the queue's backoff); the others complete.
     *
     * The concurrency is spread over several workers fetching at most `batch` jobs each: a worker
     * waits for its whole batch before fetching again, so one slow job (a receiver taking its full
     * timeout) holds back only its own worker.
     */
    async work<T>(queue: QueueName, handler: JobHandler<T>, options: { concurrency?: number; batch?: number } = {}): Promise<void> {
      const concurrency = options.concurrency ?? 10;
      const batchSize = Math.min(options.batch ?? 10, concurrency);
      const workOptions = {
        batchSize,
        localConcurrency: Math.ceil(concurrency / batchSize),
        pollingIntervalSeconds: POLLING_SECONDS,
        burstWhenBatchFull: true,
        perJobResults: true,
      } as const;
      await boss.work<T, unknown, typeof workOptions>(queue, workOptions, async (jobs) =>
        Promise.all(
          jobs.map(async (job): Promise<JobResult> => {
            try {
              await handler({ id: job.id, data: job.data, retryCount: job.retryCount });
              return { id: job.id, status: 'completed' };
            } catch (err) {
              opts.onError?.(err);
              return { id: job.id, status: 'failed', output: { message: err instanceof Error ? err.message : String(err) } };
            }
          }),
        ),
      );
    },

    /** Wakes this process's idle workers of `queue` now instead of at their next poll. */
    notify(queue: QueueName): void {
      for (const worker of boss.getWipData()) if (worker.name === queue) boss.notifyWorker(worker.id);
    },

    /** Runs `queue` on a cron schedule (one run per tick across all processes). */
    async schedule(queue: QueueName, cron: string): Promise<void> {
      await boss.schedule(queue, cron, {}, { tz: 'UTC' });
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
        await boss.stop({ graceful: true, timeout: timeoutMs, close: false });
        while (inflight.size > 0 && Date.now() < deadline) {
          await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, 50))]);
        }
        started = false;
      })().finally(() => {
        stopping = undefined;
      });
      return stopping;
    },
  };
}

export type JobQueue = Awaited<ReturnType<typeof createJobQueue>>;
