import { describe, expect, it } from 'vitest';
import { autovacuumWarnings } from './autovacuum.js';

const healthy = { autovacuum: 'on', trackCounts: 'on', tablesWithAutovacuumOff: [] };

describe('autovacuum warnings', () => {
  it('are none when autovacuum runs everywhere', () => {
    expect(autovacuumWarnings(healthy)).toEqual([]);
  });

  it('name the server setting to change when autovacuum is off', () => {
    const [warning, ...others] = autovacuumWarnings({ ...healthy, autovacuum: 'off' });
    expect(others).toEqual([]);
    expect(warning!.setting).toBe('autovacuum');
    expect(warning!.message).toContain('autovacuum is off');
    expect(warning!.message).toContain('ALTER SYSTEM SET autovacuum = on');
  });

  it('name track_counts, without which autovacuum does nothing', () => {
    expect(autovacuumWarnings({ ...healthy, trackCounts: 'off' })).toEqual([
      expect.objectContaining({ setting: 'track_counts', message: expect.stringContaining('set track_counts = on') }),
    ]);
  });

  it('name the tables whose own autovacuum_enabled is off', () => {
    const [warning] = autovacuumWarnings({ ...healthy, tablesWithAutovacuumOff: ['deliveries', 'events'] });
    expect(warning).toMatchObject({ setting: 'autovacuum_enabled' });
    expect(warning!.message).toContain('deliveries, events');
    expect(warning!.message).toContain('RESET (autovacuum_enabled)');
  });
});
