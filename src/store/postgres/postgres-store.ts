import { SecretBox } from '../../domain/secret-box.js';
import { sharedDeliveries } from '../shared/deliveries.js';
import { sharedEndpointControl } from '../shared/endpoint-control.js';
import type { Store } from '../store.js';
import { autovacuumWarnings, readAutovacuumSettings } from './autovacuum.js';
import { ConfigCache } from '../shared/config-cache.js';
import { PostgresDb } from './connection.js';
import { postgresEndpoints } from './endpoints.js';
import { cancelDelivery } from './fifo-chains.js';
import { postgresEvents } from './events.js';
import { postgresKeys } from './keys.js';
import { postgresMaintenance } from './maintenance.js';
import { postgresOperations } from './operations.js';
import { postgresQueue } from './queue.js';

// The PostgreSQL store, for several hookd nodes on one database: one file per concern, mirroring
// the SQLite adapter's, each the shared statements (src/store/shared) plus what PostgreSQL does its
// own way — row locks with SKIP LOCKED, unnest batches, one-statement ingest, NOTIFY.

// The class and this interface merge: an instance has every Store method, set by the constructor.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface PostgresStore extends Store {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PostgresStore {
  /** `secrets` seals signing secrets at rest (none by default: stored in the clear). */
  constructor(connectionString: string, options: { maxConnections?: number; secrets?: SecretBox } = {}) {
    const db = new PostgresDb(connectionString, options);
    const box = options.secrets ?? new SecretBox({ current: null, old: [] });
    const store: Store = {
      ...postgresKeys(db, box),
      ...postgresEvents(db),
      ...postgresEndpoints(db, box),
      ...sharedEndpointControl(db),
      ...sharedDeliveries(db),
      cancelDelivery: (id, now) => cancelDelivery(db, id, now),
      ...postgresQueue(db),
      ...postgresOperations(db),
      ...postgresMaintenance(db, box),
      dialect: 'postgres',
      migrate: () => db.migrate(),
      isReady: () => db.isReady(),
      configurationWarnings: async () => autovacuumWarnings(await readAutovacuumSettings(db)),
      close: () => db.close(),
    };
    const cache = new ConfigCache();
    db.onLocalConfigChange(() => cache.changed());
    db.work.watchConfig(cache);
    Object.assign(this, store, cache.wrap(store));
  }
}
