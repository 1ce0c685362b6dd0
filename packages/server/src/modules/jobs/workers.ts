import type { DeliveryService } from '../delivery/delivery.service.ts';
import type { InvoiceExpiryService } from '../invoices/invoice-expiry.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import type { JobQueue } from './job-queue.ts';

/**
 * The job handlers of a worker process (or of the server, when it runs them inline). Several
 * workers may run against one database: pg-boss hands each job to one of them, and every
 * handler is safe to run again after a crash.
 */
export interface WorkerServices {
  queue: JobQueue;
  delivery: DeliveryService;
  webhooks: WebhooksService;
  expiry: InvoiceExpiryService;
}

export interface WorkerOptions {
  /** Webhook attempts in flight at once per worker (each waits up to 10 s for a receiver). */
  webhookConcurrency?: number;
  deliveryConcurrency?: number;
  /** Runs the expiry job every minute (one run per minute across all workers). */
  schedule?: boolean;
}

export async function startWorkers(s: WorkerServices, opts: WorkerOptions = {}): Promise<void> {
  await s.queue.start();
  await s.queue.work<{ deliveryId: string }>('webhook.deliver', async (job) => void (await s.webhooks.attempt(BigInt(job.data.deliveryId))), {
    concurrency: opts.webhookConcurrency ?? 30,
    batch: 10,
  });
  await s.queue.work<{ requestId: string }>('delivery.send', async (job) => void (await s.delivery.send(job)), {
    concurrency: opts.deliveryConcurrency ?? 10,
    batch: 10,
  });
  await s.queue.work('invoices.expire', async () => void (await s.expiry.run()), { concurrency: 1 });
  if (opts.schedule ?? true) await s.queue.schedule('invoices.expire', '* * * * *');
}
