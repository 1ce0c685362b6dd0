/**
 * Invoice-management read benchmark (`npx tsx bench/invoice-dashboard.bench.ts`).
 *
 * Acceptance (issue "dashboard at scale"): with 1,000,000 invoices for one merchant (plus other
 * merchants' rows) in PostgreSQL, a dashboard page, a filtered page, a search and a details call
 * each stay under 20 ms p99, and their query plans use indexes (no sequential scan of invoices).
 *
 *   1. CREATE DATABASE fawtara_dash_<pid>_<time> on 127.0.0.1:5432; migrate it with the server's
 *      own code (openDatabase + migrateToLatest) and ensureSandboxMerchant(); 20 other merchants.
 *   2. Seed with SQL (generate_series, batches of 100k): 1,000,000 sandbox invoices over 730
 *      merchant-local days (~3% installments of 3-installment plans; 60% pending, 30% paid, 8%
 *      cancelled, 2% expired; names from 100 first × 50 family names, Latin and Arabic script;
 *      e-mails, mobiles, references INV-<n>) and 200,000 for the other merchants, interleaved in
 *      time; one invoice item each. For speed the seed (printed as it happens):
 *        - drops the invoices table's secondary indexes (those not backing a constraint) and
 *          recreates them afterwards from their own pg_get_indexdef, then checks the index set is
 *          identical to the migrated one;
 *        - disables the invoices_stats_insert trigger, rebuilds invoice_daily_stats with one
 *          aggregate INSERT and re-enables the trigger. The rollup is rebuilt spread over the 16
 *          shards (shard = id % 16), the shape a busy merchant's rollup takes when inserts come
 *          from many pool connections (the readers must sum the shards); --stats-shards=1 puts
 *          everything in shard 0 (the migration's own rebuild);
 *        - then VACUUM ANALYZE and a CHECKPOINT (so the load's writes are not flushed while the
 *          first scenario is measured: without it, four runs gave the dashboard 12-17 ms p50 and
 *          18-31 ms p99; with it, three runs gave 7.5-8 ms and 11.7-13.5 ms).
 *   3. Starts the gateway as a child process (node --import tsx packages/server/src/main.ts) on the
 *      bench database and a free port, waits for /health, logs in as the sandbox merchant.
 *   4. Measures sequential encrypted GETs over loopback (warm-up, then N each; fresh login per
 *      scenario): dashboard page 1; two filtered pages; searches (rotating terms that match a
 *      modest number of rows) and, separately, broad searches; details of random invoices.
 *      Every reply must be 200 and decrypt to status true, and results are checked against SQL.
 *   5. Runs the service's own code in-process with a Kysely plugin that records every statement it
 *      executes (exact SQL and parameters); runs each statement alone 7 times (median = its real
 *      cost) and EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) it, on a fresh connection with
 *      default settings. EXPLAIN ANALYZE's own Execution Time overstates some statements several
 *      times (the parallel seq scan of the rollup), so the summary uses the measured runs.
 *      A Seq Scan of invoices fails the plan check.
 *   6. Prints a summary (PASS/MISS per target), writes bench/results/invoice-dashboard.json,
 *      stops the gateway with SIGTERM and drops the database (also on error and Ctrl-C).
 *
 * Options: --invoices=1000000 --others=200000 --requests=300 --warmup=30 --stats-shards=16
 * Environment: BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test), used only to
 * CREATE and DROP the bench database.
 * Exit code: 1 if a request failed, a reply was wrong or a server misbehaved; a missed latency
 * target or plan check is reported (MISS) but does not change the exit code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createBenchLifecycle,
  createScratchDatabase,
  freePort,
  intOption,
  makeRequester,
  percentile,
  resultsHeader,
  ROOT,
  stopChild,
  summarise,
  waitHealthy,
  withAdmin,
  type BenchChild,
  type LatencySummary,
} from './bench-support.ts';
import {
  PostgresQueryCompiler,
  type CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import { createCodec, type Codec } from '@fawtara/wire';
import { migrateToLatest, openDatabase, type Database } from '../packages/server/src/db/database.ts';
import type { Merchant } from '../packages/server/src/db/schema.ts';
import { systemClock } from '../packages/server/src/lib/clock.ts';
import { localDate } from '../packages/server/src/lib/merchant-time.ts';
import { createInvoiceManagementService, normalizeSearch, SEARCH_COUNT_CAP } from '../packages/server/src/modules/invoices/invoice-management.service.ts';
import { createMerchantsService } from '../packages/server/src/modules/merchants/merchants.service.ts';
import { SANDBOX } from '../packages/server/src/modules/merchants/sandbox-credentials.ts';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'invoice-dashboard.json');
const PUBLIC_BASE_URL = 'http://127.0.0.1';
const TARGET_P99_MS = 20;

for (const a of process.argv.slice(2)) {
  if (!/^--(invoices|others|requests|warmup|stats-shards)=\d+$/.test(a)) {
    throw new Error(`unknown option ${a} (--invoices=N --others=N --requests=N --warmup=N --stats-shards=1..16)`);
  }
}

const SETTINGS = {
  sandboxInvoices: intOption('invoices', 1_000_000),
  otherInvoices: intOption('others', 200_000),
  otherMerchants: 20,
  days: 730,
  batch: 100_000,
  /** Every sandbox invoice k with k % 100 < 3 is an installment of plan k / 100 (3 per plan). */
  installmentsPerHundred: 3,
  statsShards: intOption('stats-shards', 16),
  requests: intOption('requests', 300),
  warmup: intOption('warmup', 30),
  startTimeoutMs: 60_000,
  stopTimeoutMs: 15_000,
} as const;
if (SETTINGS.sandboxInvoices % 100 !== 0 || SETTINGS.sandboxInvoices < 1000) throw new Error('--invoices must be a multiple of 100, at least 1000');
if (SETTINGS.statsShards < 1 || SETTINGS.statsShards > 16) throw new Error('--stats-shards must be 1..16');

// ---------------------------------------------------------------------------------------------
// Cleanup: the gateway and the bench database go away even when something throws or on Ctrl-C
// ---------------------------------------------------------------------------------------------

const lifecycle = createBenchLifecycle({ onSignalMessage: 'stopping the gateway and dropping the bench database...' });
const failures: string[] = [];

const out = (s = '') => process.stdout.write(`${s}\n`);
const fmt = (v: number | undefined, digits = 2) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  out(`  ${label}: ${(ms / 1000).toFixed(1)} s`);
  return { value, ms };
}

// ---------------------------------------------------------------------------------------------
// Database
// ---------------------------------------------------------------------------------------------

/** 100 first names (the last 20 in Arabic script) and 50 family names (the last 10 in Arabic script), each with an e-mail slug. */
const FIRST_NAMES: Array<[string, string]> = [
  ...'Ahmed Mohammed Abdullah Khalid Fahad Saud Nasser Yousef Omar Ali Hamad Faisal Bader Mishal Salem Jassim Talal Waleed Hussain Mubarak Abdulaziz Sulaiman Ibrahim Hassan Tariq Majed Nawaf Meshari Abdulrahman Saad Fatima Noura Maryam Aisha Sara Hessa Dana Latifa Reem Shaikha Lulwa Munira Aseel Dalal Ghadeer Haya Jawaher Khadija Layla Nada Rawan Salma Zainab Huda Amal Abrar Bashayer Fajer Shahad Yasmin John Sarah Michael Emily David Anna James Maria Robert Linda Priya Rahul Anil Deepa Joseph Grace Thomas Mary Daniel Elena'
    .split(' ')
    .map((n): [string, string] => [n, n.toLowerCase()]),
  ...([
    ['أحمد', 'ahmad'],
    ['محمد', 'mohamad'],
    ['عبدالله', 'abdallah'],
    ['خالد', 'khaled'],
    ['فهد', 'fahd'],
    ['سعود', 'saoud'],
    ['ناصر', 'naser'],
    ['يوسف', 'yusuf'],
    ['عمر', 'omer'],
    ['علي', 'aly'],
    ['فاطمة', 'fatma'],
    ['نورة', 'nourah'],
    ['مريم', 'mariam'],
    ['عائشة', 'aysha'],
    ['سارة', 'sarra'],
    ['حصة', 'hessah'],
    ['دانة', 'danah'],
    ['لطيفة', 'lateefa'],
    ['ريم', 'reema'],
    ['شيخة', 'shaikhah'],
  ] as Array<[string, string]>),
];
const LAST_NAMES: Array<[string, string]> = [
  ...'Al-Sabah Al-Mutairi Al-Ajmi Al-Enezi Al-Rashidi Al-Kandari Al-Azmi Al-Shammari Al-Otaibi Al-Harbi Al-Dosari Al-Hajri Al-Fadhli Al-Mulla Al-Ghanim Al-Bahar Al-Saqer Al-Khalid Behbehani Dashti Ashkanani Al-Qattan Al-Roumi Al-Jaber Al-Marzouq Al-Hamad Al-Failakawi Hayat Al-Shatti Al-Awadhi Smith Johnson Williams Brown Fernandes DSouza Kumar Sharma Nair Pereira'
    .split(' ')
    .map((n): [string, string] => [n === 'DSouza' ? "D'Souza" : n, n.toLowerCase().replace(/-/g, '')]),
  ...([
    ['الصباح', 'alsabah'],
    ['المطيري', 'almutairi'],
    ['العجمي', 'alajmi'],
    ['العنزي', 'alenezi'],
    ['الرشيدي', 'alrashidi'],
    ['الكندري', 'alkandari'],
    ['العازمي', 'alazmi'],
    ['الشمري', 'alshammari'],
    ['العتيبي', 'alotaibi'],
    ['الهاجري', 'alhajri'],
  ] as Array<[string, string]>),
];
if (FIRST_NAMES.length !== 100 || LAST_NAMES.length !== 50) throw new Error(`name lists: ${FIRST_NAMES.length} / ${LAST_NAMES.length}`);

/** A deterministic pseudo-random integer in [0, n) for the row's global number g and a salt. */
const h = (salt: number, n: number) => `((hashint8(g * 64 + ${salt})::bigint + 2147483648) % ${n})`;

/**
 * One batch of invoices: rows k in [lo, hi) of a series spread evenly over [start, start + span);
 * g = k + gOffset is unique over all merchants (tokens, access keys and hashes derive from it).
 * $1 merchant ids (row k goes to ids[k % n]), $2 created_by, $3 lo, $4 hi, $5 start (epoch s),
 * $6 seconds per row, $7-$10 name lists, $11 time zone, $12 gOffset, $13 first plan id (null: no
 * installments), $14 now, $15 reference prefix.
 */
const INSERT_INVOICES = `
INSERT INTO invoices (merchant_id, created_by, kind, plan_id, installment_number, token, access_key, reference_number,
  amount, description, customer_name, customer_email, country_code, mobile_number, delivery_type, delivery_channel,
  payment_methods, language, expires_on, webhook_url, status, visited_count, paid_at, cancelled_at, expired_at,
  created_at, updated_at, created_on)
SELECT merchant_id, created_by, kind, plan_id, installment_number, token, access_key, reference_number,
  amount, description, customer_name, customer_email, '965', mobile_number, delivery_type, delivery_channel,
  '{1,2}'::smallint[], language, expires_on, NULL, status, visited_count, paid_at, cancelled_at, expired_at,
  ts, coalesce(paid_at, cancelled_at, expired_at, ts), day
FROM (
  SELECT r.*,
    CASE WHEN st BETWEEN 60 AND 89 THEN least(ts + (1 + ${h(17, 48)}) * interval '1 hour', $14::timestamptz) END AS paid_at,
    CASE WHEN st BETWEEN 90 AND 97 THEN least(ts + (1 + ${h(18, 72)}) * interval '1 hour', $14::timestamptz) END AS cancelled_at,
    CASE WHEN st >= 98 THEN least(ts + interval '14 days', $14::timestamptz) END AS expired_at
  FROM (
    SELECT k, g, ts, day, st, inst, fi, li, has_email,
      ($1::bigint[])[1 + (k % cardinality($1::bigint[]))::int] AS merchant_id,
      $2::bigint AS created_by,
      CASE WHEN inst THEN 'installment' ELSE 'single' END AS kind,
      CASE WHEN inst THEN $13::bigint + k / 100 END AS plan_id,
      CASE WHEN inst THEN (k % 100 + 1)::int END AS installment_number,
      floor(extract(epoch FROM ts))::bigint::text || lpad(g::text, 14, '0') AS token,
      md5('access-key-' || g::text) AS access_key,
      CASE WHEN ${h(5, 10)} = 0 THEN NULL ELSE $15::text || (100000 + k)::text END AS reference_number,
      CASE WHEN inst THEN 50000 ELSE (${h(6, 400)} + 1) * 250 END AS amount,
      CASE WHEN ${h(7, 2)} = 0 THEN NULL ELSE 'Order ' || (100000 + k)::text END AS description,
      ($7::text[])[fi + 1] || ' ' || ($9::text[])[li + 1] AS customer_name,
      CASE WHEN has_email THEN ($8::text[])[fi + 1] || '.' || ($10::text[])[li + 1] || ${h(8, 100)}::text || '@'
        || (ARRAY['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com', 'bench.com.kw'])[1 + ${h(9, 5)}::int] END AS customer_email,
      substr('569', 1 + ${h(10, 3)}::int, 1) || lpad(${h(11, 10000000)}::text, 7, '0') AS mobile_number,
      ${h(12, 2)}::smallint AS delivery_type,
      (CASE WHEN has_email THEN ${h(13, 4)} ELSE ${h(13, 2)} END)::smallint AS delivery_channel,
      CASE WHEN fi >= 80 OR ${h(14, 4)} = 0 THEN 'ar' ELSE 'en' END AS language,
      day + (CASE WHEN inst THEN 30 * (k % 100 + 1) ELSE 14 END)::int AS expires_on,
      CASE WHEN st < 60 THEN 'pending' WHEN st < 90 THEN 'paid' WHEN st < 98 THEN 'cancelled' ELSE 'expired' END AS status,
      CASE WHEN st BETWEEN 60 AND 89 THEN (1 + ${h(16, 3)})::int END AS visited_count
    FROM (
      SELECT k, g, ts, (ts AT TIME ZONE $11::text)::date AS day,
        ${h(3, 100)} AS st,
        ($13::bigint IS NOT NULL AND k % 100 < ${SETTINGS.installmentsPerHundred}) AS inst,
        fi,
        CASE WHEN fi >= 80 THEN 40 + ${h(2, 10)} ELSE ${h(2, 40)} END AS li,
        ${h(4, 100)} < 75 AS has_email
      FROM (
        SELECT k, k + $12::bigint AS g, to_timestamp($5::float8 + (k + 0.5) * $6::float8) AS ts,
          ((hashint8((k + $12::bigint) * 64 + 1)::bigint + 2147483648) % 100) AS fi
        FROM generate_series($3::bigint, $4::bigint - 1) AS k
      ) s
    ) r0
  ) r
) x`;

interface SeedInfo {
  sandboxMerchantId: string;
  otherMerchantIds: string[];
  seconds: Record<string, number>;
  totalSeconds: number;
  droppedIndexes: string[];
  rows: Record<string, number>;
  sizesMb: Record<string, number>;
  statsShards: number;
  spanFrom: string;
  spanTo: string;
}

async function seed(client: pg.Client, merchant: Merchant, userId: bigint): Promise<SeedInfo> {
  const t0 = performance.now();
  const seconds: Record<string, number> = {};
  const step = async (label: string, fn: () => Promise<unknown>) => {
    const r = await timed(label, fn);
    seconds[label] = Math.round(r.ms / 100) / 10;
  };
  const N = SETTINGS.sandboxInvoices;
  const M = SETTINGS.otherInvoices;
  const now = new Date();
  const spanSeconds = SETTINGS.days * 86_400;
  const startEpoch = Math.floor(now.getTime() / 1000) - spanSeconds;

  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`SET max_parallel_maintenance_workers = 2`);
  await client.query(`SET work_mem = '256MB'`);

  // Other merchants (plain rows: they only own invoices here).
  const others = await client.query<{ id: string }>(
    `INSERT INTO merchants (code, name, email) SELECT (900000 + g)::text, 'Bench Merchant ' || g, 'merchant' || g || '@bench.test'
     FROM generate_series(1, $1::int) g RETURNING id::text`,
    [SETTINGS.otherMerchants],
  );
  const otherIds = others.rows.map((r) => r.id);

  // Secondary indexes of invoices (not backing a constraint): dropped for the bulk load.
  const before = await client.query<{ name: string; def: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = 'invoices'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1`,
  );
  const allBefore = await client.query<{ def: string }>(
    `SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'invoices'::regclass ORDER BY 1`,
  );
  out(
    `  dropping ${before.rows.length} secondary indexes of invoices for the load (recreated from pg_get_indexdef after): ${before.rows.map((r) => r.name).join(', ')}`,
  );
  for (const r of before.rows) await client.query(`DROP INDEX ${pg.escapeIdentifier(r.name)}`);
  out('  ALTER TABLE invoices DISABLE TRIGGER invoices_stats_insert (the rollup is rebuilt with one aggregate INSERT below)');
  await client.query(`ALTER TABLE invoices DISABLE TRIGGER invoices_stats_insert`);

  const planBase = 1;
  const plans = N / 100;
  await step(`installment plans (${plans.toLocaleString('en')})`, () =>
    client.query(
      `INSERT INTO installment_plans (id, merchant_id, installments_count, total_amount, created_at)
       SELECT $1::bigint + p, $2::bigint, $3::int, 50000 * $3::int, to_timestamp($4::float8 + (p * 100 + 0.5) * $5::float8) FROM generate_series(0, $6::bigint - 1) p`,
      [planBase, merchant.id.toString(), SETTINGS.installmentsPerHundred, startEpoch, spanSeconds / N, plans],
    ),
  );
  await client.query(`SELECT setval(pg_get_serial_sequence('installment_plans', 'id'), (SELECT max(id) FROM installment_plans))`);

  const names = [FIRST_NAMES.map((n) => n[0]), FIRST_NAMES.map((n) => n[1]), LAST_NAMES.map((n) => n[0]), LAST_NAMES.map((n) => n[1])];
  const batches = Math.ceil(N / SETTINGS.batch);
  await step(`invoices (${N.toLocaleString('en')} sandbox + ${M.toLocaleString('en')} others, ${batches} batches, interleaved in time)`, async () => {
    for (let b = 0; b < batches; b++) {
      const lo = b * SETTINGS.batch;
      const hi = Math.min(N, lo + SETTINGS.batch);
      await client.query(INSERT_INVOICES, [
        [merchant.id.toString()],
        userId.toString(),
        lo,
        hi,
        startEpoch,
        spanSeconds / N,
        ...names,
        merchant.time_zone,
        0,
        planBase,
        now,
        'INV-',
      ]);
      const olo = Math.floor((b * M) / batches);
      const ohi = Math.floor(((b + 1) * M) / batches);
      if (ohi > olo) {
        await client.query(INSERT_INVOICES, [otherIds, null, olo, ohi, startEpoch, spanSeconds / M, ...names, 'Asia/Kuwait', N, null, now, 'INV-']);
      }
    }
  });
  await step('invoice items (one per invoice)', async () => {
    const { rows } = await client.query<{ lo: string; hi: string }>(`SELECT min(id)::text AS lo, max(id)::text AS hi FROM invoices`);
    const lo = BigInt(rows[0]!.lo);
    const hi = BigInt(rows[0]!.hi);
    for (let a = lo; a <= hi; a += 200_000n) {
      await client.query(
        `INSERT INTO invoice_items (invoice_id, position, title, rate, quantity, amount)
         SELECT id, 1, 'Service ' || (id % 50)::text, amount, 1, amount FROM invoices WHERE id >= $1::bigint AND id < $2::bigint`,
        [a.toString(), (a + 200_000n).toString()],
      );
    }
  });
  await step(`invoice_daily_stats rebuilt with one aggregate INSERT over ${SETTINGS.statsShards} shard(s); trigger re-enabled`, async () => {
    await client.query(`DELETE FROM invoice_daily_stats`);
    await client.query(
      `INSERT INTO invoice_daily_stats (merchant_id, day, kind, status, shard, invoices)
       SELECT merchant_id, created_on, kind, status, (id % $1::int)::smallint, count(*) FROM invoices GROUP BY 1, 2, 3, 4, 5`,
      [SETTINGS.statsShards],
    );
    await client.query(`ALTER TABLE invoices ENABLE TRIGGER invoices_stats_insert`);
  });
  await step(`secondary indexes recreated (${before.rows.length})`, async () => {
    for (const r of before.rows) await client.query(r.def);
  });
  const allAfter = await client.query<{ def: string }>(
    `SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'invoices'::regclass ORDER BY 1`,
  );
  if (JSON.stringify(allAfter.rows) !== JSON.stringify(allBefore.rows)) throw new Error('the invoices indexes after the seed differ from the migrated ones');
  const trig = await client.query<{ tgenabled: string }>(`SELECT tgenabled FROM pg_trigger WHERE tgname = 'invoices_stats_insert'`);
  if (trig.rows[0]?.tgenabled !== 'O') throw new Error('invoices_stats_insert is not enabled after the seed');
  out('  index set identical to the migrated schema; invoices_stats_insert enabled again');
  await step('VACUUM ANALYZE', () => client.query(`VACUUM ANALYZE`));
  // Flush the load's dirty pages now, not while the first scenario is being measured.
  await step('CHECKPOINT', () =>
    client.query(`CHECKPOINT`).catch((err) => out(`  (CHECKPOINT not allowed: ${err instanceof Error ? err.message : String(err)})`)),
  );

  const rows: Record<string, number> = {};
  for (const [label, q] of [
    ['invoices (sandbox)', `SELECT count(*)::int AS n FROM invoices WHERE merchant_id = ${merchant.id}`],
    ['invoices (all)', `SELECT count(*)::int AS n FROM invoices`],
    ['installment invoices (sandbox)', `SELECT count(*)::int AS n FROM invoices WHERE merchant_id = ${merchant.id} AND kind = 'installment'`],
    ['installment_plans', `SELECT count(*)::int AS n FROM installment_plans`],
    ['invoice_items', `SELECT count(*)::int AS n FROM invoice_items`],
    ['invoice_daily_stats', `SELECT count(*)::int AS n FROM invoice_daily_stats`],
    ['invoice_daily_stats (sandbox)', `SELECT count(*)::int AS n FROM invoice_daily_stats WHERE merchant_id = ${merchant.id}`],
    ['merchants', `SELECT count(*)::int AS n FROM merchants`],
  ] as const) {
    rows[label] = (await client.query<{ n: number }>(q)).rows[0]!.n;
  }
  const sizes = await client.query<{ name: string; mb: string }>(
    `SELECT c.relname AS name, round(pg_relation_size(c.oid) / 1048576.0, 1)::text AS mb FROM pg_class c
     WHERE c.relname IN ('invoices', 'invoice_items', 'invoice_daily_stats') OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'invoices'::regclass)
     ORDER BY pg_relation_size(c.oid) DESC`,
  );
  const span = await client.query<{ lo: string; hi: string }>(
    `SELECT min(created_on)::text AS lo, max(created_on)::text AS hi FROM invoices WHERE merchant_id = ${merchant.id}`,
  );
  return {
    sandboxMerchantId: merchant.id.toString(),
    otherMerchantIds: otherIds,
    seconds,
    totalSeconds: Math.round((performance.now() - t0) / 100) / 10,
    droppedIndexes: before.rows.map((r) => r.name),
    rows,
    sizesMb: Object.fromEntries(sizes.rows.map((r) => [r.name, Number(r.mb)])),
    statsShards: SETTINGS.statsShards,
    spanFrom: span.rows[0]!.lo,
    spanTo: span.rows[0]!.hi,
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway as a child process, and HTTP
// ---------------------------------------------------------------------------------------------

function startGateway(databaseUrl: string, port: number): BenchChild {
  return lifecycle.spawnChild(
    'gateway',
    ['packages/server/src/main.ts'],
    { DATABASE_URL: databaseUrl, DATA_DIR: '', LOG_LEVEL: 'warn', FAWTARA_MODE: 'sandbox', PUBLIC_BASE_URL },
    { port },
  );
}

async function stopGateway(child: BenchChild): Promise<{ code: number | null; signal: string | null; clean: boolean }> {
  const { code, signal, clean } = await stopChild(child, SETTINGS.stopTimeoutMs);
  return { code, signal, clean };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const request = makeRequester(agent);

const codec: Codec = createCodec({ secretKey: SANDBOX.secretKey, iv: SANDBOX.iv });

async function login(port: number): Promise<string> {
  const res = await request(
    port,
    'POST',
    '/api/v1/login',
    { 'content-type': 'application/json', accept: 'application/json' },
    JSON.stringify({ username: SANDBOX.username, password: SANDBOX.password }),
  );
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 300)}`);
  const token = JSON.parse(res.text).response?.token?.access_token;
  if (typeof token !== 'string') throw new Error(`login reply without response.token.access_token: ${res.text.slice(0, 300)}`);
  return token;
}

/** An encrypted GET as Hesabe clients send it: `?data=<hex>` of the JSON payload. */
function encryptedPath(urlPath: string, payload: Record<string, unknown>): string {
  return `${urlPath}?data=${codec.encrypt(JSON.stringify({ merchantCode: SANDBOX.merchantCode, ...payload }))}`;
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

interface Call {
  /** Label of the variant (search term, invoice id, ...). */
  variant: string;
  path: string;
  check: (reply: any) => string | undefined;
}

interface Scenario {
  key: string;
  title: string;
  /** The acceptance target this scenario answers (broad searches are extra evidence). */
  acceptance: boolean;
  /** Measured calls, used in rotation; warm-up uses the same rotation. */
  calls: Call[];
  /** Payloads for the in-process plan capture (one per distinct query shape / term). */
  planPayloads: Array<{ variant: string; kind: 'dashboard' | 'details'; payload: Record<string, unknown>; id?: string }>;
}

interface ScenarioResult {
  key: string;
  title: string;
  acceptance: boolean;
  latencyMs: LatencySummary;
  byVariant: Record<string, LatencySummary>;
  verdict: 'PASS' | 'MISS';
  planCheck?: 'PASS' | 'MISS';
}

async function runScenario(port: number, sc: Scenario): Promise<ScenarioResult> {
  const token = await login(port); // fresh token per scenario (they live 15 minutes)
  const headers = { accept: 'application/json', accesscode: SANDBOX.accessCode, authorization: `Bearer ${token}` };
  const once = async (call: Call): Promise<number> => {
    const res = await request(port, 'GET', call.path, headers);
    if (res.status !== 200) {
      failures.push(`${sc.key} ${call.variant}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
      return res.ms;
    }
    let reply: any;
    try {
      reply = JSON.parse(codec.decrypt(JSON.parse(res.text).response));
    } catch (err) {
      failures.push(`${sc.key} ${call.variant}: reply does not decrypt (${err instanceof Error ? err.message : String(err)})`);
      return res.ms;
    }
    const problem = reply?.status !== true ? `status ${String(reply?.status)}: ${JSON.stringify(reply).slice(0, 200)}` : call.check(reply.response);
    if (problem) failures.push(`${sc.key} ${call.variant}: ${problem}`);
    return res.ms;
  };
  for (let i = 0; i < SETTINGS.warmup; i++) await once(sc.calls[i % sc.calls.length]!);
  const all: number[] = [];
  const byVariant = new Map<string, number[]>();
  for (let i = 0; i < SETTINGS.requests; i++) {
    const call = sc.calls[(i + SETTINGS.warmup) % sc.calls.length]!;
    const ms = await once(call);
    all.push(ms);
    const list = byVariant.get(call.variant) ?? [];
    list.push(ms);
    byVariant.set(call.variant, list);
  }
  const latencyMs = summarise(all);
  const showVariants = byVariant.size > 1 && byVariant.size <= 12;
  out(
    `  ${sc.title.padEnd(58)} n=${latencyMs.count}  p50 ${fmt(latencyMs.p50)}  p90 ${fmt(latencyMs.p90)}  p99 ${fmt(latencyMs.p99)}  max ${fmt(latencyMs.max)} ms`,
  );
  const variants: Record<string, LatencySummary> = {};
  if (showVariants) {
    for (const [v, list] of byVariant) {
      variants[v] = summarise(list);
      out(
        `      ${JSON.stringify(v).padEnd(54)} n=${variants[v].count}  p50 ${fmt(variants[v].p50)}  p99 ${fmt(variants[v].p99)}  max ${fmt(variants[v].max)} ms`,
      );
    }
  }
  return { key: sc.key, title: sc.title, acceptance: sc.acceptance, latencyMs, byVariant: variants, verdict: latencyMs.p99 < TARGET_P99_MS ? 'PASS' : 'MISS' };
}

/** First day of the month `back` months before `today`'s, and the last day `months` months later. */
function monthRange(today: string, back: number, months: number): { fromDate: string; toDate: string } {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1 - back, 1));
  const to = new Date(Date.UTC(y, m - 1 - back + months, 0));
  return { fromDate: from.toISOString().slice(0, 10), toDate: to.toISOString().slice(0, 10) };
}

// The server's search text (invoices.repo.ts SEARCH_TEXT): the constant country code is not in it.
const SEARCH_EXPR = `lower(coalesce(reference_number, '') || ' ' || customer_name || ' ' || coalesce(customer_email, '') || ' ' || mobile_number)`;
const likePattern = (term: string) => `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function buildScenarios(client: pg.Client, merchant: Merchant, today: string): Promise<{ scenarios: Scenario[]; expectations: Record<string, unknown> }> {
  const mid = merchant.id.toString();
  const N = SETTINGS.sandboxInvoices;
  const pageChecks =
    (expectTotal: number, expectStatsTotal: number, page: number, kindType?: number) =>
    (r: any): string | undefined => {
      const inv = r?.invoices;
      if (!inv || !Array.isArray(inv.data)) return 'no invoices.data';
      if (r.stats?.total_invoice_count !== expectStatsTotal) return `stats.total_invoice_count ${r.stats?.total_invoice_count}, expected ${expectStatsTotal}`;
      const cappedTotal = Math.min(expectTotal, SEARCH_COUNT_CAP);
      if (inv.total !== expectTotal && inv.total !== cappedTotal) return `total ${inv.total}, expected ${expectTotal}`;
      const expectRows = Math.max(0, Math.min(20, Math.min(expectTotal, inv.total) - (page - 1) * 20));
      if (inv.data.length !== expectRows) return `${inv.data.length} rows, expected ${expectRows}`;
      if (inv.current_page !== page) return `current_page ${inv.current_page}`;
      for (let i = 0; i < inv.data.length; i++) {
        const row = inv.data[i];
        if (String(row.merchant_id) !== mid) return `row of merchant ${row.merchant_id}`;
        if (kindType !== undefined && row.invoice_type !== kindType) return `row of invoice_type ${row.invoice_type}`;
        if (i > 0 && (row.created_at > inv.data[i - 1].created_at || (row.created_at === inv.data[i - 1].created_at && row.id > inv.data[i - 1].id)))
          return 'rows not newest first';
      }
      return undefined;
    };

  // Stats of the whole merchant, straight from invoices (checks the rollup rebuild too).
  const byStatus = await client.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM invoices WHERE merchant_id = $1 GROUP BY 1`, [
    mid,
  ]);
  const st = Object.fromEntries(byStatus.rows.map((r) => [r.status, r.n])) as Record<string, number>;
  const dashboardCheck = pageChecks(N, N, 1);
  const dashboard: Scenario = {
    key: 'dashboard',
    title: 'dashboard page 1, no filters',
    acceptance: true,
    calls: [
      {
        variant: 'page 1',
        path: encryptedPath('/api/v1/invoice-dashboard', {}),
        check: (r) =>
          dashboardCheck(r) ??
          (r.stats.invoice_paid !== String(st.paid ?? 0) ||
          r.stats.invoice_cancelled !== String(st.cancelled ?? 0) ||
          r.stats.invoice_not_paid !== String((st.pending ?? 0) + (st.expired ?? 0))
            ? `stats ${JSON.stringify(r.stats)} differ from counts ${JSON.stringify(st)}`
            : undefined),
      },
    ],
    planPayloads: [{ variant: 'page 1', kind: 'dashboard', payload: {} }],
  };

  const countWhere = async (where: string, params: unknown[]) =>
    (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE merchant_id = $1 AND ${where}`, [mid, ...params])).rows[0]!.n;
  const month = monthRange(today, 6, 1);
  const monthInst = await countWhere(`created_on BETWEEN $2 AND $3 AND kind = 'installment'`, [month.fromDate, month.toDate]);
  const quarter = monthRange(today, 12, 3);
  const quarterSingle = await countWhere(`created_on BETWEEN $2 AND $3 AND kind = 'single'`, [quarter.fromDate, quarter.toDate]);
  const filteredMonth: Scenario = {
    key: 'filtered-month-installments',
    title: `filtered: ${month.fromDate}..${month.toDate}, invoiceType 7, page 1`,
    acceptance: true,
    calls: [
      { variant: 'month+7', path: encryptedPath('/api/v1/invoice-dashboard', { ...month, invoiceType: '7' }), check: pageChecks(monthInst, monthInst, 1, 2) },
    ],
    planPayloads: [{ variant: 'month+7', kind: 'dashboard', payload: { ...month, invoiceType: '7' } }],
  };
  const filteredQuarter: Scenario = {
    key: 'filtered-quarter-single-p3',
    title: `filtered: ${quarter.fromDate}..${quarter.toDate}, invoiceType 1, page 3`,
    acceptance: true,
    calls: [
      {
        variant: 'quarter+1 p3',
        path: encryptedPath('/api/v1/invoice-dashboard', { ...quarter, invoiceType: '1', page: '3' }),
        check: pageChecks(quarterSingle, quarterSingle, 3, 1),
      },
    ],
    planPayloads: [{ variant: 'quarter+1 p3', kind: 'dashboard', payload: { ...quarter, invoiceType: '1', page: '3' } }],
  };

  // Search terms: taken from the data so that each matches what it should.
  // Two rows with an e-mail, picked deterministically: one gives a phone number, one an e-mail fragment.
  const picked = (
    await client.query<{ mobile: string; email: string }>(
      `SELECT country_code || mobile_number AS mobile, customer_email AS email FROM invoices
       WHERE merchant_id = $1 AND customer_email IS NOT NULL ORDER BY hashint8(id) LIMIT 2`,
      [mid],
    )
  ).rows;
  const phoneTerm = picked[0]!.mobile;
  const emailFragment = picked[1]!.email.split('@')[0]!; // e.g. noura.alajmi7
  const refTerm = `INV-${100000 + Math.floor(N * 0.023456)}`;
  const modestTerms = [refTerm, 'Noura Al-Ajmi', emailFragment, phoneTerm, 'فاطمة العتيبي', 'Jawaher Dashti'];
  // Broad: ~10k, ~20k, ~150k, and '965' (the country code alone is not searched as a phone
  // prefix: it matches the mobile numbers that contain it).
  const broadTerms = ['ahmed', 'Behbehani', 'gmail.com', '965'];
  const expectTotals: Record<string, number> = {};
  for (const term of [...modestTerms, ...broadTerms]) {
    // As the server reads it: a phone number typed with its country code is searched without it.
    expectTotals[term] = await countWhere(`${SEARCH_EXPR} LIKE $2`, [likePattern(normalizeSearch(term))]);
  }
  const searchCall = (term: string): Call => ({
    variant: term,
    path: encryptedPath('/api/v1/invoice-dashboard', { search: term }),
    check: pageChecks(expectTotals[term]!, N, 1),
  });
  const search: Scenario = {
    key: 'search',
    title: `search, ${modestTerms.length} rotating terms (modest matches)`,
    acceptance: true,
    calls: modestTerms.map(searchCall),
    planPayloads: modestTerms.map((t) => ({ variant: t, kind: 'dashboard' as const, payload: { search: t } })),
  };
  const searchBroad: Scenario = {
    key: 'search-broad',
    title: `search, broad terms (${broadTerms.join(', ')})`,
    acceptance: false,
    calls: broadTerms.map(searchCall),
    planPayloads: broadTerms.map((t) => ({ variant: t, kind: 'dashboard' as const, payload: { search: t } })),
  };

  // Details: random invoices of the merchant (deterministic order), some installments among them.
  const need = SETTINGS.requests + SETTINGS.warmup;
  const ids = (
    await client.query<{ id: string; kind: string }>(`SELECT id::text, kind FROM invoices WHERE merchant_id = $1 ORDER BY hashint8(id) LIMIT $2`, [mid, need])
  ).rows;
  const instId = (
    await client.query<{ id: string }>(`SELECT id::text FROM invoices WHERE merchant_id = $1 AND kind = 'installment' ORDER BY hashint8(id) LIMIT 1`, [mid])
  ).rows[0]!.id;
  const details: Scenario = {
    key: 'details',
    title: `details of ${ids.length} random invoices (${ids.filter((r) => r.kind === 'installment').length} installments)`,
    acceptance: true,
    calls: ids.map((r) => ({
      variant: r.kind,
      path: encryptedPath(`/api/v1/invoice/${r.id}`, {}),
      check: (o: any) =>
        String(o?.id) !== r.id ? `id ${o?.id}, expected ${r.id}` : r.kind === 'installment' && !o.plan ? 'installment without plan' : undefined,
    })),
    planPayloads: [
      { variant: 'single', kind: 'details', payload: {}, id: ids.find((r) => r.kind === 'single')!.id },
      { variant: 'installment', kind: 'details', payload: {}, id: instId },
    ],
  };
  return {
    scenarios: [dashboard, filteredMonth, filteredQuarter, search, searchBroad, details],
    expectations: {
      statusCounts: st,
      monthInstallments: { ...month, count: monthInst },
      quarterSingles: { ...quarter, count: quarterSingle },
      searchTotals: expectTotals,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Query plans of the exact statements the service runs
// ---------------------------------------------------------------------------------------------

/** Records the compiled SQL of every statement Kysely executes (not of subqueries built along the way). */
class CapturePlugin implements KyselyPlugin {
  readonly #compiler = new PostgresQueryCompiler();
  readonly #pending = new Map<string, CompiledQuery>();
  executed: CompiledQuery[] = [];

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#pending.set(args.queryId.queryId, this.#compiler.compileQuery(args.node, args.queryId));
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const q = this.#pending.get(args.queryId.queryId);
    if (q) this.executed.push(q);
    this.#pending.clear();
    return args.result;
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Actual Loops'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

interface StatementPlan {
  /** What the statement is for: stats, count, page, items, plans, byId. */
  role: string;
  table: string;
  sql: string;
  params: unknown[];
  nodes: string[];
  planningMs: number;
  executionMs: number;
  /** Median wall time of running the statement itself (not EXPLAIN) 7 times, round trip included. */
  realMs: number;
  sharedHit: number;
  sharedRead: number;
  jit: boolean;
  seqScanOnInvoices: boolean;
  seqScans: string[];
  plan: unknown;
}

function walk(node: PlanNode, depth: number, lines: string[], seq: string[]): void {
  const rel = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  const idx = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const loops = (node['Actual Loops'] ?? 1) > 1 ? ` ×${node['Actual Loops']}` : '';
  const removed = node['Rows Removed by Filter'] ? `, ${node['Rows Removed by Filter']} removed by filter` : '';
  lines.push(
    `${'  '.repeat(depth)}${node['Node Type']}${idx}${rel} (rows ${node['Actual Rows'] ?? '?'}${loops}, estimated ${node['Plan Rows'] ?? '?'}${removed})`,
  );
  if (/Seq Scan/.test(node['Node Type']) && node['Relation Name']) seq.push(node['Relation Name']);
  for (const child of node.Plans ?? []) walk(child, depth + 1, lines, seq);
}

async function explain(client: pg.Client, q: CompiledQuery): Promise<StatementPlan> {
  const params = q.parameters.map((p) => (typeof p === 'bigint' ? p.toString() : p));
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await client.query(q.sql, params);
    runs.push(performance.now() - t0);
  }
  const realMs =
    Math.round(
      percentile(
        runs.sort((a, b) => a - b),
        50,
      ) * 1000,
    ) / 1000;
  const res = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`, params);
  const root = (
    res.rows[0]['QUERY PLAN'] as Array<{
      Plan: PlanNode & { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number };
      'Planning Time': number;
      'Execution Time': number;
      JIT?: unknown;
    }>
  )[0]!;
  const nodes: string[] = [];
  const seq: string[] = [];
  walk(root.Plan, 0, nodes, seq);
  const table = /\bfrom "([a-z_]+)"/.exec(q.sql)?.[1] ?? '?';
  const role =
    table === 'invoice_daily_stats'
      ? 'stats'
      : table === 'invoice_items'
        ? 'items'
        : /^select count\(\*\)/.test(q.sql)
          ? 'count'
          : /group by "plan_id"/.test(q.sql)
            ? 'plans'
            : /order by "created_on" desc/.test(q.sql)
              ? 'page'
              : /where "id" = /.test(q.sql)
                ? 'byId'
                : table;
  return {
    role,
    table,
    sql: q.sql,
    params,
    nodes,
    planningMs: Math.round(root['Planning Time'] * 1000) / 1000,
    executionMs: Math.round(root['Execution Time'] * 1000) / 1000,
    realMs,
    sharedHit: root.Plan['Shared Hit Blocks'] ?? 0,
    sharedRead: root.Plan['Shared Read Blocks'] ?? 0,
    jit: root.JIT !== undefined,
    seqScanOnInvoices: seq.includes('invoices'),
    seqScans: seq,
    plan: root,
  };
}

interface PlanReport {
  scenario: string;
  variant: string;
  statements: StatementPlan[];
  inProcessMs: number;
}

async function capturePlans(databaseUrl: string, merchant: Merchant, scenarios: Scenario[]): Promise<PlanReport[]> {
  const database = await openDatabase({ databaseUrl, poolSize: 2 });
  // A fresh connection with the server's default settings (the seed connection changed work_mem).
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'fawtara-bench-plans' });
  await client.connect();
  const reports: PlanReport[] = [];
  try {
    const plugin = new CapturePlugin();
    const capturing: Database = { ...database, db: database.db.withPlugin(plugin) };
    // Only reads run here; the write paths' collaborators are never called.
    const unused = new Proxy(
      {},
      {
        get: () => {
          throw new Error('not used by reads');
        },
      },
    ) as never;
    const service = createInvoiceManagementService({
      database: capturing,
      clock: systemClock,
      publicBaseUrl: PUBLIC_BASE_URL,
      delivery: unused,
      webhooks: unused,
    });
    for (const sc of scenarios) {
      for (const pp of sc.planPayloads) {
        const payload = { merchantCode: SANDBOX.merchantCode, ...pp.payload };
        const run = () => (pp.kind === 'details' ? service.details({ merchant, id: pp.id! }) : service.dashboard({ merchant, filters: payload }));
        await run(); // warm
        plugin.executed = [];
        const t0 = performance.now();
        await run();
        const inProcessMs = performance.now() - t0;
        const statements: StatementPlan[] = [];
        for (const q of plugin.executed) statements.push(await explain(client, q));
        reports.push({ scenario: sc.key, variant: pp.variant, statements, inProcessMs: Math.round(inProcessMs * 100) / 100 });
      }
    }
  } finally {
    await client.end();
    await database.close();
  }
  return reports;
}

function printPlans(reports: PlanReport[]): void {
  for (const r of reports) {
    const sum = r.statements.reduce((a, s) => a + s.realMs, 0);
    out(
      `\n  [${r.scenario}] ${JSON.stringify(r.variant)}: ${r.statements.length} statements, ${fmt(sum)} ms run one by one; whole service call in-process ${fmt(r.inProcessMs)} ms`,
    );
    for (const s of r.statements) {
      const flag = s.seqScanOnInvoices ? '  <-- SEQ SCAN OF invoices' : s.seqScans.length > 0 ? `  (seq scan of ${s.seqScans.join(', ')})` : '';
      out(
        `    ${s.role} (${s.table}): ${fmt(s.realMs)} ms (median of 7 runs); EXPLAIN ANALYZE: planning ${fmt(s.planningMs, 3)}, execution ${fmt(s.executionMs, 3)} ms, buffers hit ${s.sharedHit} read ${s.sharedRead}${s.jit ? ', JIT' : ''}${flag}`,
      );
      for (const line of s.nodes) out(`      ${line}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const t0 = performance.now();
  await mkdir(RESULTS_DIR, { recursive: true });
  const serverInfo: Record<string, string> = {};
  await withAdmin(async (c) => {
    for (const k of ['server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'jit', 'fsync', 'synchronous_commit']) {
      const { rows } = await c.query(`SHOW ${k}`);
      serverInfo[k] = String(Object.values(rows[0])[0]);
    }
  });
  out(
    `Fawtara invoice dashboard benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}\n` +
      `PostgreSQL ${serverInfo.server_version} (shared_buffers ${serverInfo.shared_buffers}, work_mem ${serverInfo.work_mem}, effective_cache_size ${serverInfo.effective_cache_size}, random_page_cost ${serverInfo.random_page_cost}, jit ${serverInfo.jit})\n` +
      `${SETTINGS.sandboxInvoices.toLocaleString('en')} sandbox invoices + ${SETTINGS.otherInvoices.toLocaleString('en')} for ${SETTINGS.otherMerchants} other merchants over ${SETTINGS.days} days; ` +
      `${SETTINGS.warmup} warm-up + ${SETTINGS.requests} sequential requests per scenario; target p99 < ${TARGET_P99_MS} ms`,
  );

  const name = `fawtara_dash_${process.pid}_${Date.now().toString(36)}`;
  const { url: databaseUrl, drop } = await createScratchDatabase(name);
  lifecycle.addCleanup(async () => {
    await drop();
    out(`database ${name} dropped`);
  });
  out(`\n=== seed: database ${name} ===`);

  // Schema and sandbox merchant through the server's own code.
  const database = await openDatabase({ databaseUrl, poolSize: 2 });
  let merchant: Merchant;
  let userId: bigint;
  try {
    await timed('migrateToLatest', () => migrateToLatest(database.db));
    await createMerchantsService({ database, clock: systemClock }).ensureSandboxMerchant();
    merchant = await database.db.selectFrom('merchants').selectAll().where('code', '=', SANDBOX.merchantCode).executeTakeFirstOrThrow();
    userId = (await database.db.selectFrom('users').select('id').where('merchant_id', '=', merchant.id).executeTakeFirstOrThrow()).id;
  } finally {
    await database.close();
  }

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  lifecycle.addCleanup(() => client.end());
  const seedInfo = await seed(client, merchant, userId);
  out(`  seed total ${seedInfo.totalSeconds.toFixed(1)} s; days ${seedInfo.spanFrom}..${seedInfo.spanTo}`);
  out(
    `  rows: ${Object.entries(seedInfo.rows)
      .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
      .join(', ')}`,
  );
  out(
    `  sizes (MB): ${Object.entries(seedInfo.sizesMb)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (seedInfo.rows['invoices (sandbox)'] !== SETTINGS.sandboxInvoices) failures.push(`seeded ${seedInfo.rows['invoices (sandbox)']} sandbox invoices`);

  const today = localDate(new Date(), merchant.time_zone);
  const { scenarios, expectations } = await buildScenarios(client, merchant, today);
  out(`  expected totals from SQL: ${JSON.stringify(expectations)}`);

  out(`\n=== gateway ===`);
  const port = await freePort();
  const child = startGateway(databaseUrl, port);
  let stopped: Awaited<ReturnType<typeof stopGateway>> | undefined;
  lifecycle.addCleanup(async () => {
    if (!stopped) await stopGateway(child);
  });
  const startMs = await waitHealthy(child, SETTINGS.startTimeoutMs, request);
  out(`  healthy after ${startMs.toFixed(0)} ms (pid ${child.proc.pid}, port ${port})`);

  out(`\n=== latency over HTTP (ms, sequential, loopback) ===`);
  const results: ScenarioResult[] = [];
  for (const sc of scenarios) results.push(await runScenario(port, sc));

  out(`\n=== query plans: every statement the service runs, EXPLAIN (ANALYZE, BUFFERS) ===`);
  const plans = await capturePlans(databaseUrl, merchant, scenarios);
  printPlans(plans);
  for (const r of results) {
    const mine = plans.filter((p) => p.scenario === r.key);
    r.planCheck = mine.some((p) => p.statements.some((s) => s.seqScanOnInvoices)) ? 'MISS' : 'PASS';
  }

  stopped = await stopGateway(child);
  out(`\n  gateway stopped with SIGTERM: exit code ${stopped.code}${stopped.signal ? ` signal ${stopped.signal}` : ''}${stopped.clean ? '' : ' (NOT clean)'}`);
  if (!stopped.clean) failures.push(`gateway did not exit cleanly: ${JSON.stringify(stopped)}\n  ${child.logTail.join('\n  ')}`);
  if (child.logTail.length > 0) out(`  gateway log (warn+):\n    ${child.logTail.join('\n    ')}`);

  // Summary
  const totalS = (performance.now() - t0) / 1000;
  out(`\n${'='.repeat(118)}`);
  out(`${'target'.padEnd(62)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}  p99<${TARGET_P99_MS}ms  plan (no seq scan of invoices)`);
  for (const r of results) {
    const title = `${r.title}${r.acceptance ? '' : ' [extra]'}`;
    out(
      `${title.padEnd(62)} ${fmt(r.latencyMs.p50).padStart(7)} ${fmt(r.latencyMs.p99).padStart(7)} ${fmt(r.latencyMs.max).padStart(7)}  ${r.verdict.padEnd(9)} ${r.planCheck}`,
    );
  }
  out(`\nwhere the SQL time goes: ms per statement, each run alone (median of 7, round trip included)`);
  const roles = ['stats', 'count', 'page', 'items', 'plans', 'byId'];
  out(`${'scenario / variant'.padEnd(50)} ${roles.map((r) => r.padStart(7)).join(' ')}   seq scans`);
  for (const p of plans) {
    const cell = (role: string) => {
      const xs = p.statements.filter((s) => s.role === role);
      return xs.length === 0 ? '-' : fmt(xs.reduce((a, s) => a + s.realMs, 0));
    };
    const seq = [...new Set(p.statements.flatMap((s) => s.seqScans.map((t) => `${t} (${s.role})`)))].join(', ');
    out(`${`${p.scenario} ${JSON.stringify(p.variant)}`.slice(0, 50).padEnd(50)} ${roles.map((r) => cell(r).padStart(7)).join(' ')}   ${seq || '-'}`);
  }
  const acceptance = results.filter((r) => r.acceptance);
  const met = acceptance.filter((r) => r.verdict === 'PASS' && r.planCheck === 'PASS').length;
  out(`${'='.repeat(118)}`);
  out(
    `acceptance targets met: ${met}/${acceptance.length}${results.some((r) => !r.acceptance) ? ' ([extra] rows are additional evidence, not part of the acceptance)' : ''}`,
  );
  out(`seed ${seedInfo.totalSeconds.toFixed(1)} s, total ${totalS.toFixed(0)} s`);
  if (failures.length > 0) out(`FAILED — ${failures.length} problem(s):\n  ${failures.slice(0, 30).join('\n  ')}`);
  else out('every reply was 200, decrypted to status true and matched the SQL expectations');

  const json = {
    ...resultsHeader('invoice-dashboard', totalS, serverInfo),
    settings: SETTINGS,
    targetP99Ms: TARGET_P99_MS,
    seed: seedInfo,
    expectations,
    scenarios: results,
    plans: plans.map((p) => ({ ...p, statements: p.statements.map((s) => ({ ...s, plan: undefined })) })),
    // Full EXPLAIN JSON only where it matters: a seq scan of invoices, or 5 ms and more.
    // (each distinct plan shape once).
    plansOfConcern: (() => {
      const seen = new Set<string>();
      return plans.flatMap((p) =>
        p.statements
          .filter((s) => s.seqScanOnInvoices || s.executionMs >= 5)
          .filter((s) => {
            const shape = `${s.role}|${s.nodes.map((n) => n.replace(/\(.*\)$/, '')).join('|')}`;
            if (seen.has(shape)) return false;
            seen.add(shape);
            return true;
          })
          .map((s) => ({ scenario: p.scenario, variant: p.variant, role: s.role, sql: s.sql, params: s.params, plan: s.plan })),
      );
    })(),
    acceptanceMet: `${met}/${acceptance.length}`,
    failures,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(json, null, 2)}\n`);
  out(`results written to ${path.relative(ROOT, RESULTS_FILE)}`);
  return failures.length > 0 ? 1 : 0;
}

lifecycle.run(main);
