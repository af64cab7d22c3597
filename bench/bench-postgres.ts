import { usePostgresServer } from './database.js';
import { startOwnPostgres, type OwnPostgres } from './own-postgres.js';

// The PostgreSQL a bench run uses: the machine's (127.0.0.1:5432, or HOOKD_BENCH_POSTGRES_URL), or a
// server of the run's own configured as docs/scaling.md recommends for hookd. The machine's server
// is tuned for test suites (autovacuum off), so dead row versions pile up over a long run and each
// attempt costs more than on a production install: a soak there measures the tuning, not hookd.

/**
 * docs/scaling.md, "Autovacuum for the queue", as settings of the whole server (hookd's migrations
 * add the per-table ones). Everything else is PostgreSQL's default, as on the machine's server
 * (fsync and synchronous_commit on, shared_buffers 128 MB), so that the two compare.
 */
export const RECOMMENDED_SETTINGS: Readonly<Record<string, string>> = {
  autovacuum: 'on',
  autovacuum_naptime: '10s',
  autovacuum_max_workers: '4',
  autovacuum_vacuum_cost_limit: '2000',
};

export interface BenchPostgres {
  /** Where the run's databases are made, for the report. */
  describe: string;
  stop(): void;
}

/**
 * `own`: start a server with the recommended settings and make every database on it until stop().
 * Otherwise the machine's server, left as it is.
 */
export async function benchPostgres(own: boolean): Promise<BenchPostgres> {
  if (!own) return { describe: 'the machine’s PostgreSQL', stop: () => undefined };
  const server: OwnPostgres = await startOwnPostgres(RECOMMENDED_SETTINGS);
  usePostgresServer(server.url);
  // Also when the bench ends through process.exit (its time limit, a missing peer service).
  process.once('exit', () => server.destroy());
  const settings = Object.entries(RECOMMENDED_SETTINGS)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  return { describe: `a PostgreSQL of its own (${settings})`, stop: () => server.destroy() };
}
