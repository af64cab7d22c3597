import { describe, expect, it } from 'vitest';
import { minuteOf, type Reading } from './minutes.js';

const MB = 1024 * 1024;

function reading(overrides: Partial<Reading>): Reading {
  return {
    at: 0,
    rssBytes: 100 * MB,
    heapUsedBytes: 30 * MB,
    eventLoopP99Seconds: 0.012,
    benchEventLoopP99Seconds: null,
    attempts: 0,
    eventsAccepted: 0,
    healthyArrivals: 0,
    databaseBytes: 0,
    wal: null,
    databaseCpuSeconds: null,
    deadTuples: null,
    autovacuums: null,
    hookdCpuSeconds: null,
    serverCpuSeconds: null,
    machineBusySeconds: null,
    machineStealSeconds: null,
    hookdRunQueueWaitSeconds: null,
    handedOver: null,
    claimedFirst: null,
    ...overrides,
  };
}

const noSamples = { firstAttemptMs: [], apiReadMs: [] };

describe('minuteOf', () => {
  it('turns the counters read at both ends of the minute into rates over its length', () => {
    const minute = minuteOf(
      2,
      reading({ at: 60_000, attempts: 1000, eventsAccepted: 500, healthyArrivals: 800 }),
      reading({ at: 90_000, attempts: 4000, eventsAccepted: 800, healthyArrivals: 2300, databaseBytes: 2400 * 100 }),
      noSamples,
      3,
    );
    expect(minute.minute).toBe(2);
    expect(minute.seconds).toBe(30);
    expect(minute.attemptsPerSecond).toBe(100);
    expect(minute.eventsPerSecond).toBe(10);
    expect(minute.deliveriesPerSecond).toBe(50);
    // 800 events × 3 deliveries each stored in 240 kB.
    expect(minute.bytesPerDelivery).toBe(100);
  });

  it('reports the process figures read at the minute’s end, in MB and ms', () => {
    const minute = minuteOf(1, reading({}), reading({ at: 60_000, rssBytes: 150 * MB, heapUsedBytes: 40 * MB, eventLoopP99Seconds: 0.0255 }), noSamples, 3);
    expect(minute.rssMB).toBe(150);
    expect(minute.heapUsedMB).toBe(40);
    expect(minute.eventLoopP99Ms).toBeCloseTo(25.5, 10);
  });

  it('summarises the minute’s samples', () => {
    const minute = minuteOf(1, reading({}), reading({ at: 60_000 }), { firstAttemptMs: [3, 1, 2, 4, 5, 6, 7, 8, 9, 10], apiReadMs: [10, 40] }, 3);
    expect([minute.firstAttemptP50Ms, minute.firstAttemptP90Ms, minute.firstAttemptP99Ms, minute.firstAttempts]).toEqual([6, 10, 10, 10]);
    expect([minute.apiReadP50Ms, minute.apiReadP99Ms, minute.apiReads]).toEqual([40, 40, 2]);
  });

  it('gives SQLite’s WAL as the file stands and PostgreSQL’s as what was written during the minute', () => {
    const sqlite = minuteOf(1, reading({ wal: { bytes: 8 * MB, written: false } }), reading({ at: 60_000, wal: { bytes: 4 * MB, written: false } }), noSamples, 3);
    expect(sqlite.walMB).toBe(4);
    const postgres = minuteOf(1, reading({ wal: { bytes: 8 * MB, written: true } }), reading({ at: 60_000, wal: { bytes: 20 * MB, written: true } }), noSamples, 3);
    expect(postgres.walMB).toBe(12);
  });

  it('gives PostgreSQL’s CPU per attempt, and nothing for SQLite', () => {
    const postgres = minuteOf(1, reading({ databaseCpuSeconds: 10 }), reading({ at: 60_000, attempts: 2000, databaseCpuSeconds: 11, deadTuples: 42 }), noSamples, 3);
    expect(postgres.postgresCpuMicrosPerAttempt).toBe(500);
    expect(postgres.deadTuples).toBe(42);
    const sqlite = minuteOf(1, reading({}), reading({ at: 60_000, attempts: 2000 }), noSamples, 3);
    expect(sqlite.postgresCpuMicrosPerAttempt).toBeNull();
    expect(sqlite.walMB).toBeNull();
  });

  it('says where the CPU went in % of one core, and counts the vacuums that ended in the minute', () => {
    const minute = minuteOf(
      1,
      reading({ at: 0, hookdCpuSeconds: 10, serverCpuSeconds: 100, machineBusySeconds: 1000, machineStealSeconds: 50, autovacuums: 4, hookdRunQueueWaitSeconds: 5 }),
      reading({ at: 60_000, hookdCpuSeconds: 40, serverCpuSeconds: 130, machineBusySeconds: 1090, machineStealSeconds: 62, autovacuums: 7, hookdRunQueueWaitSeconds: 11 }),
      noSamples,
      1,
    );
    expect(minute.hookdCpuPercent).toBe(50);
    expect(minute.serverCpuPercent).toBe(50);
    expect(minute.machineCpuPercent).toBe(150);
    expect(minute.stealPercent).toBe(20);
    expect(minute.autovacuums).toBe(3);
    // 6 s of the minute waiting for a core.
    expect(minute.hookdWaitPercent).toBe(10);
    expect(minute.handOffPercent).toBeNull();
    // 300 of the minute's 400 first attempts handed over.
    const taken = minuteOf(1, reading({ handedOver: 1000, claimedFirst: 500 }), reading({ at: 60_000, handedOver: 1300, claimedFirst: 600 }), noSamples, 1);
    expect(taken.handOffPercent).toBe(75);
    // The bench's own loop, as read at the minute's end; null when not measured.
    expect(minuteOf(1, reading({}), reading({ at: 60_000, benchEventLoopP99Seconds: 0.0315 }), noSamples, 1).benchLoopP99Ms).toBeCloseTo(31.5, 9);
    expect(taken.benchLoopP99Ms).toBeNull();
    // SQLite: no server and no vacuum.
    const sqlite = minuteOf(1, reading({ at: 0, hookdCpuSeconds: 1 }), reading({ at: 60_000, hookdCpuSeconds: 7 }), noSamples, 1);
    expect(sqlite).toMatchObject({ hookdCpuPercent: 10, serverCpuPercent: null, autovacuums: null });
  });
});
