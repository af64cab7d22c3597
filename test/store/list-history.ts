import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '../../src/store/dialect.js';
import { sharedDeliveries } from '../../src/store/shared/deliveries.js';
import { sharedEvents } from '../../src/store/shared/events.js';
import { recording, type Plan } from './plan-reads.js';

// The dashboard's reads cost the same after hours of load as after a minute (issue 19): with
// 60,000 events and 180,000 deliveries stored, each read of the soak's dashboard round (the
// latest deliveries, the latest event with its deliveries) and each filtered list (an event's,
// an endpoint's or an operation's deliveries, an account's events) is planned by
// the database itself to find its rows through an index and stop at the page — never to walk the
// deliveries. Before, one event's deliveries were looked for along every delivery in id order
// (SQLite), a page that never filled: the soak's event read grew with the run. Each dialect's test
// file runs this with a small harness. (The endpoint stats have stats-history; the endpoint list
// reads only the endpoints.)

export interface ListHistoryHarness {
  /** A fresh, migrated database holding the history below. */
  open(): Promise<ListHistoryDb>;
}

export interface ListHistoryDb {
  db: SqlDb;
  /** What the database plans for a statement. */
  plan(sql: string, params: unknown[]): Promise<Plan>;
  close(): Promise<void>;
}

/**
 * The generated history, written by each harness with one INSERT … SELECT per table: event i
 * (0 ≤ i < EVENTS) is `evt_` and i in 10 digits, created at i; delivery j (0 ≤ j < 3 × EVENTS) is
 * `dlv_` and j in 10 digits, of event ⌊j / 3⌋, to endpoint `ep_` (j mod 20), succeeded; the three
 * deliveries of every 1,000th event k carry the correlation id `op_` (k / 1000); every 100th event
 * is the account `acme`'s, and so are its deliveries; every 1,000th delivery (j mod 1000 = 999)
 * failed.
 */
export const EVENTS = 60_000;
export const DELIVERIES_PER_EVENT = 3;
export const ENDPOINTS = 20;
const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(10, '0')}`;

export function listHistorySuite(name: string, harness: ListHistoryHarness): void {
  describe(`dashboard reads over a large history: ${name}`, () => {
    let history: ListHistoryDb;
    beforeAll(async () => {
      history = await harness.open();
    }, 300_000);
    afterAll(async () => history?.close());

    const latestEvent = id('evt', EVENTS - 1);
    const deliveryCount = EVENTS * DELIVERIES_PER_EVENT;
    /** Each read, what it must return, how SQLite must find its rows, and how many rows PostgreSQL may look at. */
    const reads: Array<{
      name: string;
      run: (db: SqlDb) => Promise<unknown>;
      expected: unknown;
      sqlite: RegExp;
      /** SQLite must read the rows in page order (no sort): the read stops at the page. */
      ordered?: boolean;
      rows: number;
    }> = [
      {
        name: 'the latest 50 deliveries',
        run: async (db) => (await sharedDeliveries(db).listDeliveries({}, { limit: 50, cursor: null })).items.map((d) => d.id),
        expected: Array.from({ length: 50 }, (_, k) => id('dlv', deliveryCount - 1 - k)),
        // The id index in order, no sort: the scan stops at the page.
        sqlite: /^SCAN deliveries USING INDEX sqlite_autoindex_deliveries_1$/,
        ordered: true,
        rows: 51,
      },
      {
        name: 'the latest event',
        run: async (db) => (await sharedEvents(db).getEvent(latestEvent))?.id,
        expected: latestEvent,
        sqlite: /^SEARCH events USING INDEX sqlite_autoindex_events_1 \(id=\?\)$/,
        rows: 1,
      },
      {
        name: "the latest event's deliveries",
        run: async (db) =>
          (await sharedDeliveries(db).listDeliveries({ eventId: latestEvent }, { limit: 250, cursor: null })).items.map((d) => d.id),
        expected: [2, 1, 0].map((k) => id('dlv', (EVENTS - 1) * DELIVERIES_PER_EVENT + k)),
        sqlite: /^SEARCH deliveries USING INDEX deliveries_event \(event_id=\?\)$/,
        rows: DELIVERIES_PER_EVENT,
      },
      {
        name: "the oldest event's deliveries, after a cursor",
        run: async (db) => {
          const deliveries = sharedDeliveries(db);
          const first = await deliveries.listDeliveries({ eventId: id('evt', 0) }, { limit: 1, cursor: null });
          return (await deliveries.listDeliveries({ eventId: id('evt', 0) }, { limit: 250, cursor: first.nextCursor })).items.map((d) => d.id);
        },
        expected: [id('dlv', 1), id('dlv', 0)],
        sqlite: /^SEARCH deliveries USING INDEX deliveries_event \(event_id=\?\)$/,
        rows: DELIVERIES_PER_EVENT,
      },
      {
        name: "an endpoint's deliveries, second page",
        run: async (db) => {
          const deliveries = sharedDeliveries(db);
          const first = await deliveries.listDeliveries({ endpointId: 'ep_7' }, { limit: 50, cursor: null });
          return (await deliveries.listDeliveries({ endpointId: 'ep_7' }, { limit: 50, cursor: first.nextCursor })).items.length;
        },
        expected: 50,
        sqlite: /^SEARCH deliveries USING INDEX deliveries_endpoint \(endpoint_id=\? AND id<\?\)$/,
        ordered: true,
        // PostgreSQL may as well read the ids before the cursor and keep the endpoint's (every
        // twentieth here): the page's rows times the endpoint's share, however long the history.
        rows: 51 * ENDPOINTS,
      },
      {
        name: "an operation's deliveries (its correlation id)",
        run: async (db) =>
          (await sharedDeliveries(db).listDeliveries({ correlationId: 'op_30' }, { limit: 250, cursor: null })).items.map((d) => d.id),
        expected: [2, 1, 0].map((k) => id('dlv', 30_000 * DELIVERIES_PER_EVENT + k)),
        sqlite: /^SEARCH deliveries USING INDEX deliveries_correlation \(correlation_id=\?\)$/,
        rows: DELIVERIES_PER_EVENT,
      },
      {
        name: "an account's latest deliveries (every list made with an account key)",
        run: async (db) =>
          (await sharedDeliveries(db).listDeliveries({ accountId: 'acme' }, { limit: 50, cursor: null })).items.map((d) => d.id),
        // acme's events are every 100th, three deliveries each, newest first.
        expected: Array.from({ length: 50 }, (_, k) => id('dlv', DELIVERIES_PER_EVENT * (EVENTS - 100 * (Math.floor(k / 3) + 1)) + 2 - (k % 3))),
        sqlite: /^SEARCH deliveries USING INDEX deliveries_account \(account_id=\?\)$/,
        ordered: true,
        rows: 51,
      },
      {
        name: 'the latest failed deliveries (a status alone)',
        run: async (db) => (await sharedDeliveries(db).listDeliveries({ status: 'failed' }, { limit: 50, cursor: null })).items.map((d) => d.id),
        expected: Array.from({ length: 50 }, (_, k) => id('dlv', deliveryCount - 1 - 1000 * k)),
        sqlite: /^SEARCH deliveries USING INDEX deliveries_finished \(status=\?\)$/,
        ordered: true,
        rows: 51,
      },
      {
        name: "an account's latest events",
        run: async (db) => (await sharedEvents(db).listEvents({ accountId: 'acme' }, { limit: 50, cursor: null })).items.map((e) => e.id),
        expected: Array.from({ length: 50 }, (_, k) => id('evt', EVENTS - 100 * (k + 1))),
        // The account's entries of events_account, newest first: no sort, the scan stops at the page.
        sqlite: /^SEARCH events USING INDEX events_account \(account_id=\?\)$/,
        ordered: true,
        rows: 51,
      },
    ];

    for (const read of reads) {
      it(`${read.name}: the right rows, found through an index, never a walk of the history`, async () => {
        const { db, statements } = recording(history.db);
        expect(await read.run(db)).toEqual(read.expected);
        // The last statement is the read itself (a cursor's first page comes before it).
        const { sql, params } = statements.at(-1)!;
        const plan = await history.plan(sql, params);
        const [access] = plan.reads;
        if (access!.rowsRead === null) {
          expect(plan.reads).toHaveLength(1);
          expect(access!.how).toMatch(read.sqlite);
          // A sort is only bounded when what it sorts was searched for by a key of few rows; a
          // scan, or a search of a key with many rows (an account), must come in order.
          if (read.ordered) expect(plan.sorts).toBe(false);
        } else {
          // One table; on PostgreSQL deliveries is read as its partitions (migrations 0022, 0025),
          // whose rows read together are the bound.
          expect(new Set(plan.reads.map((each) => each.table.replace(/^deliveries_(queue|parked|history)$/, 'deliveries'))).size).toBe(1);
          expect(plan.reads.reduce((sum, each) => sum + each.rowsRead!, 0)).toBeLessThanOrEqual(read.rows);
        }
      });
    }
  });
}
