import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-invoice-management.ts';
import * as m0003 from './0003-payments.ts';
import * as m0004 from './0004-delivery-and-webhooks.ts';
import * as m0005 from './0005-job-queue.ts';
import * as m0006 from './0006-job-queue-v12.ts';

/**
 * Every migration, in order. Listed in code rather than read from a folder so that the same
 * list works under tsx, vitest and a bundled build, with no path juggling.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-invoice-management': m0002,
  '0003-payments': m0003,
  '0004-delivery-and-webhooks': m0004,
  '0005-job-queue': m0005,
  '0006-job-queue-v12': m0006,
};
