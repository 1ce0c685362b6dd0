import { sql, type Kysely } from 'kysely';

/**
 * What the management API needs to stay fast with millions of invoices per merchant:
 *
 * - `created_on`: the merchant-local calendar day an invoice was created. The dashboard filters
 *   by merchant dates (`fromDate`/`toDate`), and an index on a plain date column serves them.
 * - Search by reference number, customer name, phone or e-mail is a substring match over one
 *   lower-cased expression, served by a trigram GIN index (pg_trgm).
 * - Dashboard stats (total / paid / not paid / cancelled) come from `invoice_daily_stats`, a
 *   rollup kept exact by row triggers in the same transaction as every insert and status
 *   change. Counting a million rows per page view would take far longer than the 20 ms budget.
 *   Rows are sharded by backend (`pg_backend_pid() % 16`) so concurrent inserts for one
 *   merchant and day do not queue on one row lock; readers sum the shards.
 * - `delivery_requests`: the outbox of deliveries asked for (resend now; the delivery worker
 *   consumes it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    ALTER TABLE invoices ADD COLUMN created_on date;
    UPDATE invoices i SET created_on = (i.created_at AT TIME ZONE m.time_zone)::date FROM merchants m WHERE m.id = i.merchant_id;
    ALTER TABLE invoices ALTER COLUMN created_on SET NOT NULL;

    DROP INDEX invoices_merchant_created_idx;
    -- Reference numbers are found through the search index below; one fewer index per insert.
    DROP INDEX invoices_merchant_reference_idx;
    CREATE INDEX invoices_merchant_day_idx ON invoices (merchant_id, created_on DESC, id DESC);
    -- Single invoices are the bulk: the day index serves them with a filter; installments get their own.
    CREATE INDEX invoices_merchant_installments_idx ON invoices (merchant_id, created_on DESC, id DESC) WHERE kind = 'installment';
    CREATE INDEX invoices_plan_idx ON invoices (plan_id) WHERE plan_id IS NOT NULL;
    -- The constant country code is left out: a trigram every row shares makes every search slow.
    CREATE INDEX invoices_search_idx ON invoices USING gin (
      (lower(coalesce(reference_number, '') || ' ' || customer_name || ' ' || coalesce(customer_email, '') || ' ' || mobile_number)) gin_trgm_ops
    );

    CREATE TABLE invoice_daily_stats (
      merchant_id bigint NOT NULL,
      day date NOT NULL,
      kind text NOT NULL,
      status text NOT NULL,
      shard smallint NOT NULL,
      invoices bigint NOT NULL,
      PRIMARY KEY (merchant_id, day, kind, status, shard)
    );

    CREATE FUNCTION invoice_stats_bump(m bigint, d date, k text, st text, delta bigint) RETURNS void LANGUAGE sql AS $$
      INSERT INTO invoice_daily_stats AS s (merchant_id, day, kind, status, shard, invoices)
      VALUES (m, d, k, st, (pg_backend_pid() % 16)::smallint, delta)
      ON CONFLICT (merchant_id, day, kind, status, shard) DO UPDATE SET invoices = s.invoices + EXCLUDED.invoices
    $$;

    CREATE FUNCTION invoice_stats_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Inlined rather than calling invoice_stats_bump: this runs for every invoice created.
      INSERT INTO invoice_daily_stats AS s (merchant_id, day, kind, status, shard, invoices)
      VALUES (NEW.merchant_id, NEW.created_on, NEW.kind, NEW.status, (pg_backend_pid() % 16)::smallint, 1)
      ON CONFLICT (merchant_id, day, kind, status, shard) DO UPDATE SET invoices = s.invoices + 1;
      RETURN NULL;
    END $$;

    CREATE FUNCTION invoice_stats_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM invoice_stats_bump(OLD.merchant_id, OLD.created_on, OLD.kind, OLD.status, -1);
      PERFORM invoice_stats_bump(NEW.merchant_id, NEW.created_on, NEW.kind, NEW.status, 1);
      RETURN NULL;
    END $$;

    -- Row triggers: cheaper than statement triggers with transition tables for the one-row
    -- inserts that dominate, and the update trigger fires only when the status really changes
    -- (not on every visited_count bump).
    CREATE TRIGGER invoices_stats_insert AFTER INSERT ON invoices
      FOR EACH ROW EXECUTE FUNCTION invoice_stats_on_insert();
    CREATE TRIGGER invoices_stats_status AFTER UPDATE OF status ON invoices
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION invoice_stats_on_status();

    -- Shards exist to spread concurrent writes; once a day is past, its shards are folded into
    -- shard 0 so that reading years of stats sums a few rows a day, not sixteen. Safe beside
    -- writers (a trigger's upsert on a row being deleted waits, then inserts afresh) and beside
    -- another compaction (the second DELETE finds the rows gone). Returns the rows folded.
    CREATE FUNCTION compact_invoice_stats(before date) RETURNS bigint LANGUAGE sql AS $$
      WITH moved AS (
        DELETE FROM invoice_daily_stats WHERE day < before AND shard <> 0
        RETURNING merchant_id, day, kind, status, invoices
      ), summed AS (
        SELECT merchant_id, day, kind, status, sum(invoices)::bigint AS n FROM moved GROUP BY 1, 2, 3, 4
      ), folded AS (
        INSERT INTO invoice_daily_stats AS s (merchant_id, day, kind, status, shard, invoices)
        SELECT merchant_id, day, kind, status, 0, n FROM summed
        ON CONFLICT (merchant_id, day, kind, status, shard) DO UPDATE SET invoices = s.invoices + EXCLUDED.invoices
      )
      SELECT count(*) FROM moved
    $$;

    INSERT INTO invoice_daily_stats (merchant_id, day, kind, status, shard, invoices)
    SELECT merchant_id, created_on, kind, status, 0, count(*) FROM invoices GROUP BY 1, 2, 3, 4;

    CREATE TABLE delivery_requests (
      id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      merchant_id bigint NOT NULL REFERENCES merchants (id),
      invoice_id bigint NOT NULL REFERENCES invoices (id),
      reason text NOT NULL CHECK (reason IN ('created', 'resend', 'reminder')),
      channel smallint NOT NULL CHECK (channel IN (0, 1, 2)),
      destination text NOT NULL CHECK (length(destination) BETWEEN 3 AND 254),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX delivery_requests_pending_idx ON delivery_requests (created_at) WHERE status = 'pending';
    CREATE INDEX delivery_requests_invoice_idx ON delivery_requests (invoice_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE delivery_requests;
    DROP TRIGGER invoices_stats_status ON invoices;
    DROP TRIGGER invoices_stats_insert ON invoices;
    DROP FUNCTION invoice_stats_on_status();
    DROP FUNCTION invoice_stats_on_insert();
    DROP FUNCTION invoice_stats_bump(bigint, date, text, text, bigint);
    DROP FUNCTION compact_invoice_stats(date);
    DROP TABLE invoice_daily_stats;
    DROP INDEX invoices_search_idx;
    DROP INDEX invoices_plan_idx;
    DROP INDEX invoices_merchant_installments_idx;
    DROP INDEX invoices_merchant_day_idx;
    ALTER TABLE invoices DROP COLUMN created_on;
    CREATE INDEX invoices_merchant_created_idx ON invoices (merchant_id, created_at DESC, id DESC);
    CREATE INDEX invoices_merchant_reference_idx ON invoices (merchant_id, reference_number);
  `.execute(db);
}
