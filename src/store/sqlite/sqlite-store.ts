import { SecretBox } from '../../domain/secret-box.js';
import { ConfigCache } from '../shared/config-cache.js';
import { sharedDeliveries } from '../shared/deliveries.js';
import { sharedEndpointControl } from '../shared/endpoint-control.js';
import type { Store } from '../store.js';
import { SqliteDb } from './connection.js';
import { sqliteEndpoints } from './endpoints.js';
import { cancelDelivery } from './fifo-chains.js';
import { sqliteEvents } from './events.js';
import { sqliteKeys } from './keys.js';
import { sqliteMaintenance } from './maintenance.js';
import { sqliteOperations } from './operations.js';
import { sqliteQueue } from './queue.js';

// The embedded store: one file per concern (keys, events, endpoints, operations, maintenance, the
// queue), each the shared statements (src/store/shared) plus what SQLite does its own way.

// The class and this interface merge: an instance has every Store method, set by the constructor.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface SqliteStore extends Store {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SqliteStore {
  /** `secrets` seals signing secrets at rest (none by default: stored in the clear). */
  constructor(path: string, options: { secrets?: SecretBox } = {}) {
    const db = new SqliteDb(path);
    const box = options.secrets ?? new SecretBox({ current: null, old: [] });
    const store: Store = {
      ...sqliteKeys(db, box),
      ...sqliteEvents(db),
      ...sqliteEndpoints(db, box),
      ...sharedEndpointControl(db),
      ...sharedDeliveries(db),
      cancelDelivery: async (id, now) => cancelDelivery(db, id, now),
      ...sqliteQueue(db),
      ...sqliteOperations(db),
      ...sqliteMaintenance(db, box),
      dialect: 'sqlite',
      migrate: () => db.migrate(),
      isReady: () => db.isReady(),
      configurationWarnings: async () => [],
      close: () => db.close(),
    };
    // Every change reaches the cache: this process's own from its statements, other processes'
    // from the file's data_version, checked before each cached read.
    const cache = new ConfigCache(undefined, () => db.noticeOutsideCommits());
    cache.listening(true);
    db.onConfigChange(() => cache.changed());
    Object.assign(this, store, cache.wrap(store));
  }

  /** `sqlite:./hookd.db` → `./hookd.db`; `sqlite::memory:` for tests of the adapter alone. */
  static fromUrl(url: string, options: { secrets?: SecretBox } = {}): SqliteStore {
    return new SqliteStore(url.replace(/^sqlite:(\/\/)?/, ''), options);
  }
}
