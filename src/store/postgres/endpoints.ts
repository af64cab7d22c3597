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
import type { PostgresDb } from './connection.js';

export function postgresEndpoints(db: PostgresDb, box: SecretBox): EndpointStore {
  return {
    ...sharedEndpoints(db, box),
    createEndpoint(endpoint) {
      return db.transaction(async (tx) => {
        if (endpoint.accountId !== null) await tx.run(ENSURE_ACCOUNT, ensureAccountParams(endpoint.accountId, endpoint.createdAt));
        return rows.toEndpoint((await tx.one<rows.EndpointRow>(INSERT_ENDPOINT, insertEndpointParams(endpoint, box)))!, box);
      });
    },
    updateEndpoint(id, spec, now) {
      return db.transaction(async (tx) => {
        if (spec.accountId !== null) await tx.run(ENSURE_ACCOUNT, ensureAccountParams(spec.accountId, now));
        const row = await tx.one<rows.EndpointRow>(UPDATE_ENDPOINT, updateEndpointParams(id, spec, now, box));
        return row === undefined ? null : rows.toEndpoint(row, box);
      });
    },
    deleteEndpoint(id, now) {
      return db.transaction(async (tx) => {
        const deleted = (await tx.run(DELETE_ENDPOINT, [id])) > 0;
        if (deleted) await tx.run(CANCEL_ENDPOINT_DELIVERIES, [now, id]);
        return deleted;
      });
    },
  };
}
