import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test-support/engines.ts';
import { startGateway, type TestGateway } from '../../test-support/gateway.ts';
import { runMaintenance } from './maintenance.ts';

describeEngines('maintenance', (ctx) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(ctx.db, { now: '2026-11-21T09:00:00Z' });
  });
  afterAll(async () => gw.close());

  const statsFor = async (merchantId: bigint) =>
    (
      await ctx.db.executeSql('SELECT day::text, kind, status, shard, invoices FROM invoice_daily_stats WHERE merchant_id = $1 ORDER BY day, status, shard', [
        merchantId,
      ])
    ).rows;

  it("folds past days' shards into shard 0 without changing any total, and leaves recent days alone", async () => {
    const m = await gw.newMerchant();
    const { rows } = await ctx.db.executeSql('SELECT id FROM merchants WHERE code = $1', [m.merchantCode]);
    const id: bigint = rows[0].id;
    await ctx.db.executeSql(
      `INSERT INTO invoice_daily_stats (merchant_id, day, kind, status, shard, invoices) VALUES
        ($1, '2026-11-01', 'single', 'pending', 0, 5), ($1, '2026-11-01', 'single', 'pending', 3, 2), ($1, '2026-11-01', 'single', 'pending', 9, -1),
        ($1, '2026-11-01', 'single', 'paid', 4, 7), ($1, '2026-11-20', 'single', 'pending', 2, 1), ($1, '2026-11-21', 'single', 'pending', 5, 1)`,
      [id],
    );
    const result = await runMaintenance({ database: ctx.db, clock: gw.clock });
    expect(result.statsRowsFolded).toBeGreaterThanOrEqual(3);
    expect(await statsFor(id)).toEqual([
      { day: '2026-11-01', kind: 'single', status: 'paid', shard: 0, invoices: 7n },
      { day: '2026-11-01', kind: 'single', status: 'pending', shard: 0, invoices: 6n },
      // Before the cut-off (yesterday in UTC = 2026-11-20) only; the 20th and 21st keep their shards.
      { day: '2026-11-20', kind: 'single', status: 'pending', shard: 2, invoices: 1n },
      { day: '2026-11-21', kind: 'single', status: 'pending', shard: 5, invoices: 1n },
    ]);
  });

  it('forgets idempotency keys after 24 hours and old rate-limit windows', async () => {
    const m = await ctx.db.executeSql("SELECT id FROM merchants WHERE code = '842217'");
    const id = m.rows[0].id;
    const hash = 'a'.repeat(64);
    await ctx.db.executeSql(
      `INSERT INTO idempotency_keys (merchant_id, key, request_hash, response_status, response_body, created_at) VALUES
        ($1, 'old', $2, 200, '{}', '2026-11-20T08:00:00Z'), ($1, 'fresh', $2, 200, '{}', '2026-11-20T10:00:00Z')`,
      [id, hash],
    );
    await ctx.db.executeSql("INSERT INTO rate_limits (key, window_start, hits) VALUES ('old', '2026-11-19T00:00:00Z', 3), ('new', '2026-11-21T08:00:00Z', 1)");
    const result = await runMaintenance({ database: ctx.db, clock: gw.clock });
    expect(result.idempotencyKeysDeleted).toBe(1);
    expect(result.rateLimitsDeleted).toBe(1);
    expect((await ctx.db.executeSql("SELECT key FROM idempotency_keys WHERE key IN ('old', 'fresh')")).rows).toEqual([{ key: 'fresh' }]);
    expect((await ctx.db.executeSql("SELECT key FROM rate_limits WHERE key IN ('old', 'new')")).rows).toEqual([{ key: 'new' }]);
  });
});
