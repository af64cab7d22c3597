import type { SecretBox } from '../../domain/secret-box.js';
import * as rows from '../rows.js';
import {
  CANCEL_ENDPOINT_DELIVERIES,
  DELETE_ENDPOINT,
  INSERT_ENDPOINT,
  insertEndpointParams,
  sharedEndpoints,
  UPDATE_ENDPOINT,
  updateEndpointParams,
} from '../shared/endpoints.js';
import { ENSURE_ACCOUNT, ensureAccountParams } from '../shared/keys.js';
import { EndpointLimitReached, type EndpointStore } from '../store.js';
import { FORGET_TAILS_OF_ENDPOINT } from '../shared/fifo-chains.js';
import type { SqliteDb } from './connection.js';
import { releaseChainsOf } from './fifo-chains.js';

export function sqliteEndpoints(db: SqliteDb, box: SecretBox): EndpointStore {
  return {
    ...sharedEndpoints(db, box),
    async createEndpoint(endpoint, maxPerAccount = Number.MAX_SAFE_INTEGER) {
      const row = db.transaction(() => {
        if (endpoint.accountId !== null) {
          db.runNow(ENSURE_ACCOUNT, ensureAccountParams(endpoint.accountId, endpoint.createdAt));
          // One writer: nothing creates another endpoint between the count and the insert.
          const count = db.oneNow<{ n: number }>(
            'SELECT count(*) AS n FROM (SELECT 1 FROM endpoints WHERE account_id = ? LIMIT ?)',
            [endpoint.accountId, maxPerAccount],
          );
          if (count!.n >= maxPerAccount) throw new EndpointLimitReached(maxPerAccount);
        }
        return db.oneNow<rows.EndpointRow>(INSERT_ENDPOINT, insertEndpointParams(endpoint, box));
      });
      return rows.toEndpoint(row!, box);
    },
    async updateEndpoint(id, spec, now) {
      const row = db.transaction(() => {
        if (spec.accountId !== null) db.runNow(ENSURE_ACCOUNT, ensureAccountParams(spec.accountId, now));
        const updated = db.oneNow<rows.EndpointRow>(UPDATE_ENDPOINT, updateEndpointParams(id, spec, now, box));
        // No longer ordered: what waits goes now (an endpoint that never was has no chain: one index read).
        if (updated !== undefined && spec.ordering === 'none') releaseChainsOf(db, id, now);
        return updated;
      });
      return row === undefined ? null : rows.toEndpoint(row, box);
    },
    async deleteEndpoint(id, now) {
      return db.transaction(() => {
        const deleted = db.runNow(DELETE_ENDPOINT, [id]) > 0;
        if (deleted) db.runNow(CANCEL_ENDPOINT_DELIVERIES, [now, id]);
        if (deleted) db.runNow(FORGET_TAILS_OF_ENDPOINT, [id]);
        return deleted;
      });
    },
  };
}
