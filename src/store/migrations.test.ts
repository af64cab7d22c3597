import { describe, expect, it } from 'vitest';
import { StartupFailure } from '../startup-failure.js';
import { loadMigrations, refuseNewerSchema } from './migrations.js';

describe('refuseNewerSchema', () => {
  const known = [1, 2, 3].map((version) => ({ version, name: `m${version}`, sql: '' }));

  it('accepts a new database, a partly migrated one and a fully migrated one', () => {
    for (const applied of [[], [1], [1, 2, 3]]) expect(() => refuseNewerSchema(applied, known)).not.toThrow();
  });

  it('refuses a schema version beyond the newest it knows, naming both', () => {
    expect(() => refuseNewerSchema([1, 2, 3, 4], known)).toThrow(StartupFailure);
    expect(() => refuseNewerSchema([1, 2, 3, 4], known)).toThrow(/schema version 4; this hookd knows up to 3/);
  });

  it('knows the migrations it ships with the same numbers in both dialects', () => {
    const versions = (dialect: 'sqlite' | 'postgres') => loadMigrations(dialect).map((migration) => migration.version);
    expect(Math.max(...versions('sqlite'))).toBe(Math.max(...versions('postgres')));
  });
});
