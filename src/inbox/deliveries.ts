/**
 * The durable inbox's queries. A delivery moves queued → processing → processed, or on failure
 * → failed (retry scheduled) → … → dead. A processing delivery whose lease expired (its process
 * died) is claimable again. Every state change is conditional on the claim, so a process that
 * lost its lease can never overwrite the work of the one that took over.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Selectable } from 'kysely';
import type { Store } from '../store/database.js';
import { encodePayload } from './payload-codec.js';
import type { DeliveryStatus, DeliveriesTable, DeliveryPayloadsTable } from '../store/schema.js';

export type DeliveryRow = Selectable<DeliveriesTable>;
export type StoredPayload = Pick<DeliveryPayloadsTable, 'codec' | 'payload'>;

/** A claim a delivery is stored under: the process that received it runs it from memory. */
export interface DeliveryClaim {
  claimedBy: string;
  /**
   * Asked as the row is written, inside the transaction: the lease's expiry, counted from then
   * (a reservation may wait long for a busy store), and the claimant renews it from then on.
   */
  leaseExpiry(id: string): number;
}

export interface NewDelivery {
  id: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repository: string | null;
  /** Deliveries sharing a key run one at a time, in arrival order (see concurrency-key.ts). */
  concurrencyKey?: string | null;
  /** The body exactly as GitHub sent it; kept only for a delivery stored to run (`queued`). */
  payload: Buffer;
  /**
   * `queued` to run; or recorded (for the history and the dedupe) without its payload and never
   * run: `ignored` (an event Keel does not subscribe to) or `processed` (nothing to run for it).
   */
  status: 'queued' | 'ignored' | 'processed';
  receivedAt: number;
  /** Stored already claimed by the process that received it; its attempt counts when it starts. */
  claim?: DeliveryClaim;
}

function toRow(delivery: NewDelivery) {
  const { claim } = delivery;
  return {
    id: delivery.id,
    event: delivery.event,
    action: delivery.action,
    installation_id: delivery.installationId,
    repository: delivery.repository,
    concurrency_key: delivery.concurrencyKey ?? null,
    status: claim ? ('processing' as const) : delivery.status,
    attempts: 0,
    error: null,
    received_at: delivery.receivedAt,
    next_attempt_at: delivery.receivedAt,
    lease_expires_at: claim ? claim.leaseExpiry(delivery.id) : null,
    claimed_by: claim?.claimedBy ?? null,
    processed_at: delivery.status === 'processed' ? delivery.receivedAt : null,
  };
}

/**
 * A payload is kept for a delivery that is to run: the worker reads it, a retry runs it again and
 * the console's payload page shows it. The body of one recorded without running (most comments
 * in an organisation hold no command) is not kept: Keel holds no data it has no use for, and
 * GitHub's delivery log has it.
 */
const encodeKept = (delivery: NewDelivery) =>
  delivery.status === 'queued' ? encodePayload(delivery.payload) : undefined;

/**
 * An id stored before is left as it was, but for one case: it was recorded without running
 * (ignored, or processed with no attempt) and is now to run (a redelivery reaching a process whose
 * handlers act on it, after a deploy or a fix), when it is queued or claimed as if new, received
 * now (so its duration counts from the redelivery). It keeps its sequence number: among the
 * deliveries of its key it runs in the place it first arrived in. Both dialects run this.
 */
const UPGRADED_COLUMNS = [
  'status',
  'received_at',
  'attempts',
  'error',
  'next_attempt_at',
  'lease_expires_at',
  'claimed_by',
  'concurrency_key',
] as const;
const NEVER_RUN_NOW_TO_RUN =
  "(deliveries.status = 'ignored' or (deliveries.status = 'processed' and deliveries.attempts = 0)) and excluded.status in ('queued', 'processing')";
const UPGRADE_NEVER_RUN_SQL = `${UPGRADED_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ')}, processed_at = null where ${NEVER_RUN_NOW_TO_RUN}`;

/** Prepared once per database: the receiver's insert, without a query builder. */
const sqliteInserts = new WeakMap<SQLite.Database, { row: SQLite.Statement; payload: SQLite.Statement }>();

/** `row`: a row as toRow builds it; its keys, the same for every row, name the bound columns. */
function prepareSqliteInserts(database: SQLite.Database, row: object) {
  let statements = sqliteInserts.get(database);
  if (!statements) {
    const columns = Object.keys(row);
    const placeholders = columns.map(() => '?').join(', ');
    statements = {
      row: database.prepare(
        `insert into deliveries (${columns.join(', ')}) values (${placeholders}) on conflict (id) do update set ${UPGRADE_NEVER_RUN_SQL} returning seq`,
      ),
      payload: database.prepare(
        'insert into delivery_payloads (delivery_seq, codec, payload) values (?, ?, ?) on conflict (delivery_seq) do update set codec = excluded.codec, payload = excluded.payload',
      ),
    };
    sqliteInserts.set(database, statements);
  }
  return statements;
}

function insertOnSqlite(
  database: SQLite.Database,
  deliveries: readonly NewDelivery[],
  encoded: readonly (StoredPayload | undefined)[],
): Set<string> {
  return database.transaction(() => {
    const fresh = new Set<string>();
    deliveries.forEach((delivery, index) => {
      // Built here, inside the transaction, so leases count from the write.
      const row = toRow(delivery);
      const statements = prepareSqliteInserts(database, row);
      const inserted = statements.row.get(Object.values(row)) as { seq: number } | undefined;
      if (!inserted) return;
      fresh.add(delivery.id);
      const payload = encoded[index];
      if (payload) statements.payload.run(inserted.seq, payload.codec, payload.payload);
    });
    return fresh;
  })();
}

/**
 * Stores deliveries, and the payloads of those to run, in one transaction; returns the ids that
 * were new (an id stored before is left as it was, unless it was ignored and is now to run: see
 * UPGRADE_NEVER_RUN_SQL). Ids must be distinct.
 */
export async function insertDeliveries(store: Store, deliveries: readonly NewDelivery[]): Promise<Set<string>> {
  const encoded = deliveries.map(encodeKept);
  if (store.withSqlite) return store.withSqlite((database) => insertOnSqlite(database, deliveries, encoded));
  return store.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('deliveries')
      // Built here, once the transaction holds a connection, so leases count from the write.
      .values(deliveries.map(toRow))
      .onConflict((conflict) =>
        conflict
          .column('id')
          .doUpdateSet((eb) => ({
            ...Object.fromEntries(UPGRADED_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)])),
            processed_at: null,
          }))
          .where(sql<boolean>`${sql.raw(NEVER_RUN_NOW_TO_RUN)}`),
      )
      .returning(['id', 'seq'])
      .execute();
    const seqOf = new Map(inserted.map((row) => [row.id, row.seq]));
    const payloads = deliveries.flatMap((delivery, index) => {
      const seq = seqOf.get(delivery.id);
      const payload = encoded[index];
      return seq === undefined || !payload ? [] : [{ delivery_seq: seq, ...payload }];
    });
    if (payloads.length > 0) {
      await trx
        .insertInto('delivery_payloads')
        .values(payloads)
        .onConflict((conflict) =>
          conflict.column('delivery_seq').doUpdateSet((eb) => ({
            codec: eb.ref('excluded.codec'),
            payload: eb.ref('excluded.payload'),
          })),
        )
        .execute();
    }
    return new Set(seqOf.keys());
  });
}

/**
 * Stores a batch from the receiver: one result per delivery, true when it was new. The same id
 * twice in one batch (a redelivery racing the original) counts once, for the first.
 */
export async function insertDeliveryBatch(store: Store, deliveries: readonly NewDelivery[]): Promise<boolean[]> {
  const firstIndex = new Map<string, number>();
  deliveries.forEach((delivery, index) => {
    if (!firstIndex.has(delivery.id)) firstIndex.set(delivery.id, index);
  });
  const fresh = await insertDeliveries(
    store,
    deliveries.filter((delivery, index) => firstIndex.get(delivery.id) === index),
  );
  return deliveries.map((delivery, index) => firstIndex.get(delivery.id) === index && fresh.has(delivery.id));
}

/** Stores one delivery; returns false when that X-GitHub-Delivery id was already stored. */
export async function insertDelivery(store: Store, delivery: NewDelivery): Promise<boolean> {
  return (await insertDeliveries(store, [delivery])).has(delivery.id);
}

/** The stored (encoded) payloads of deliveries `seqs`, by seq: one query for a whole claim. */
export async function readPayloads(store: Store, seqs: readonly number[]): Promise<Map<number, StoredPayload>> {
  if (seqs.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('delivery_payloads')
    .select(['delivery_seq', 'codec', 'payload'])
    .where('delivery_seq', 'in', [...seqs])
    .execute();
  return new Map(rows.map(({ delivery_seq, ...stored }) => [delivery_seq, stored]));
}

/** Puts a failed or dead delivery back in the queue with a fresh set of attempts. */
export async function requeueDelivery(store: Store, id: string, now: number): Promise<DeliveryRow | undefined> {
  return store.db
    .updateTable('deliveries')
    .set({ status: 'queued', attempts: 0, next_attempt_at: now, claimed_by: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'dead'])
    .returningAll()
    .executeTakeFirst();
}

export function getDelivery(store: Store, id: string): Promise<DeliveryRow | undefined> {
  return store.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The columns a delivery's JSON is built from (every listing selects at least these). */
export type DeliveryJsonRow = Pick<
  DeliveryRow,
  | 'id'
  | 'event'
  | 'action'
  | 'installation_id'
  | 'repository'
  | 'status'
  | 'attempts'
  | 'error'
  | 'received_at'
  | 'next_attempt_at'
  | 'processed_at'
>;

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(Number(epochMs)).toISOString();
}

/**
 * A delivery as every JSON answer shows it (`/api/deliveries`, an integration's deliveries, a
 * retry): one shape, so the API, the console and the CLI agree. No payload.
 */
export function toDeliveryJson(row: DeliveryJsonRow) {
  const waiting = row.status === 'failed' || row.status === 'queued';
  return {
    id: row.id,
    event: row.event,
    action: row.action,
    status: row.status,
    attempts: Number(row.attempts),
    error: row.error,
    installationId: row.installation_id === null ? null : Number(row.installation_id),
    repository: row.repository,
    receivedAt: new Date(Number(row.received_at)).toISOString(),
    nextAttemptAt: waiting ? isoOrNull(row.next_attempt_at) : null,
    processedAt: isoOrNull(row.processed_at),
    // None for a delivery recorded with nothing to run (processed at receipt, no attempt).
    durationMs:
      row.processed_at === null || Number(row.attempts) === 0
        ? null
        : Number(row.processed_at) - Number(row.received_at),
  };
}

export type DeliveryJson = ReturnType<typeof toDeliveryJson>;

export interface ListDeliveriesOptions {
  status?: DeliveryStatus;
  installationId?: number;
  /** Only deliveries of these installations (a console user's visible ones); none when empty. */
  installationIds?: readonly number[];
  event?: string;
  repository?: string;
  /** Only deliveries that arrived before this sequence number (the next page, newest first). */
  beforeSeq?: number;
  limit: number;
}

/** Newest first, without payloads. */
export async function listDeliveries(store: Store, options: ListDeliveriesOptions) {
  if (options.installationIds?.length === 0) return [];
  let query = store.db
    .selectFrom('deliveries')
    .select([
      'seq',
      'id',
      'event',
      'action',
      'installation_id',
      'repository',
      'status',
      'attempts',
      'error',
      'received_at',
      'next_attempt_at',
      'processed_at',
    ])
    .orderBy('seq', 'desc')
    .limit(options.limit);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.installationId !== undefined) query = query.where('installation_id', '=', options.installationId);
  if (options.installationIds) query = query.where('installation_id', 'in', [...options.installationIds]);
  if (options.event) query = query.where('event', '=', options.event);
  if (options.repository) query = query.where('repository', '=', options.repository);
  if (options.beforeSeq !== undefined) query = query.where('seq', '<', options.beforeSeq);
  return query.execute();
}

export async function countDeliveriesByStatus(store: Store): Promise<Map<DeliveryStatus, number>> {
  const rows = await store.db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('status')
    .execute();
  return new Map(rows.map((row) => [row.status, Number(row.count)]));
}

/** Which of `ids` are stored: one query however many ids are asked about. */
export async function findStoredDeliveryIds(store: Store, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await store.db
    .selectFrom('deliveries')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((row) => row.id));
}

/**
 * Deletes processed and ignored deliveries received before `before` (payloads go with them).
 * Dead letters, failures awaiting a retry and work in progress are kept whatever their age.
 */
export async function deleteDeliveriesBefore(store: Store, before: number): Promise<number> {
  const result = await store.db
    .deleteFrom('deliveries')
    .where('status', 'in', ['processed', 'ignored'])
    .where('received_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
