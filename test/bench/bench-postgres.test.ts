import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { benchPostgres, RECOMMENDED_SETTINGS } from '../../bench/bench-postgres.js';
import { freshDatabase, POSTGRES_ADMIN_URL } from '../../bench/database.js';

// The bench's own PostgreSQL (a soak on PostgreSQL runs on it): started with the autovacuum
// settings docs/scaling.md recommends, the bench's databases made on it, and removed at the end.

describe('the bench on a PostgreSQL of its own', () => {
  it('starts a server with the recommended autovacuum, makes the run’s databases on it, and removes it', async () => {
    const machines = POSTGRES_ADMIN_URL;
    const postgres = await benchPostgres(true);
    try {
      expect(POSTGRES_ADMIN_URL).not.toBe(machines);
      const database = await freshDatabase('postgres');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
          'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
          [Object.keys(RECOMMENDED_SETTINGS)],
        );
        const shown = Object.fromEntries(rows.map((row) => [row.name, row.unit === 's' ? `${row.setting}s` : row.setting]));
        expect(shown).toEqual(RECOMMENDED_SETTINGS);
        expect(new URL(database.url).port).toBe(new URL(POSTGRES_ADMIN_URL).port);
        expect(new URL(database.url).port).not.toBe(new URL(machines).port);
      } finally {
        await client.end();
        await database.drop();
      }
      expect(postgres.describe).toContain('autovacuum_naptime=10s');
    } finally {
      postgres.stop();
    }
    // Stopped with the run: nothing listens there any more.
    await expect(new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 }).connect()).rejects.toThrow();
  }, 60_000);
});
