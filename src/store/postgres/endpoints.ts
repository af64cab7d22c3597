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
import type { PostgresDb } from './connection.js';
import { releaseChainsOf } from './fifo-chains.js';

/** An account's endpoints, counted up to the limit, once its row is locked (FOR UPDATE) against concurrent creates. */
const COUNT_ACCOUNT_ENDPOINTS_LOCKED = `WITH locked AS (SELECT id FROM accounts WHERE id = $1 FOR UPDATE)
  SELECT count(*) AS n FROM (SELECT 1 FROM endpoints WHERE account_id = (SELECT id FROM locked) LIMIT $2) AS e`;

export function postgresEndpoints(db: PostgresDb, box: SecretBox): EndpointStore {
  return {
    ...sharedEndpoints(db, box),
    createEndpoint(endpoint, maxPerAccount = Number.MAX_SAFE_INTEGER) {
      return db.transaction(async (tx) => {
        if (endpoint.accountId !== null) {
          await tx.run(ENSURE_ACCOUNT, ensureAccountParams(endpoint.accountId, endpoint.createdAt));
          // The account's row locked: two creates at once count one after the other.
          const count = await tx.one<{ n: number }>(COUNT_ACCOUNT_ENDPOINTS_LOCKED, [endpoint.accountId, maxPerAccount]);
          if (Number(count!.n) >= maxPerAccount) throw new EndpointLimitReached(maxPerAccount);
        }
        return rows.toEndpoint((await tx.one<rows.EndpointRow>(INSERT_ENDPOINT, insertEndpointParams(endpoint, box)))!, box);
      });
    },
    updateEndpoint(id, spec, now) {
      return db.transaction(async (tx) => {
        if (spec.accountId !== null) await tx.run(ENSURE_ACCOUNT, ensureAccountParams(spec.accountId, now));
        const row = await tx.one<rows.EndpointRow>(UPDATE_ENDPOINT, updateEndpointParams(id, spec, now, box));
        // No longer ordered: what waits goes now (an endpoint that never was has no chain: one index read).
        if (row !== undefined && spec.ordering === 'none') await releaseChainsOf(tx, id, now);
        return row === undefined ? null : rows.toEndpoint(row, box);
      });
    },
    deleteEndpoint(id, now) {
      return db.transaction(async (tx) => {
        const deleted = (await tx.run(DELETE_ENDPOINT, [id])) > 0;
        if (deleted) await tx.run(CANCEL_ENDPOINT_DELIVERIES, [now, id]);
        if (deleted) await tx.run(FORGET_TAILS_OF_ENDPOINT, [id]);
        return deleted;
      });
    },
  };
}
