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
import type { EndpointStore } from '../store.js';
import type { SqliteDb } from './connection.js';

export function sqliteEndpoints(db: SqliteDb, box: SecretBox): EndpointStore {
  return {
    ...sharedEndpoints(db, box),
    async createEndpoint(endpoint) {
      const row = db.transaction(() => {
        if (endpoint.accountId !== null) db.runNow(ENSURE_ACCOUNT, ensureAccountParams(endpoint.accountId, endpoint.createdAt));
        return db.oneNow<rows.EndpointRow>(INSERT_ENDPOINT, insertEndpointParams(endpoint, box));
      });
      return rows.toEndpoint(row!, box);
    },
    async updateEndpoint(id, spec, now) {
      const row = db.transaction(() => {
        if (spec.accountId !== null) db.runNow(ENSURE_ACCOUNT, ensureAccountParams(spec.accountId, now));
        return db.oneNow<rows.EndpointRow>(UPDATE_ENDPOINT, updateEndpointParams(id, spec, now, box));
      });
      return row === undefined ? null : rows.toEndpoint(row, box);
    },
    async deleteEndpoint(id, now) {
      return db.transaction(() => {
        const deleted = db.runNow(DELETE_ENDPOINT, [id]) > 0;
        if (deleted) db.runNow(CANCEL_ENDPOINT_DELIVERIES, [now, id]);
        return deleted;
      });
    },
  };
}
