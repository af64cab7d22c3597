import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Figure } from '../../bench/report.js';
import type { DestinationFigures } from '../../bench/scenarios/destinations.js';
import { runBench } from '../support/bench-run.js';
import { REDIS_URL } from '../support/brokers.js';

// The bench's destinations scenario (`npm run bench -- --quick --only destinations`) run end to
// end against the machine's RabbitMQ, NATS and Redis: every message reaches its broker, each
// broker's rate and its ratio to HTTP are reported, and the bench's targets are removed afterwards.
// The figures are the machine's and are not judged here. Left out (loudly, by npm test) when a
// broker cannot be had: vitest.config.ts.

interface BenchJson {
  figures: Figure[];
  notes: string[];
  runs: { destinations: DestinationFigures };
}

describe('the bench destinations scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-destinations-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports one endpoint\'s delivery rate over HTTP and to each broker, with each broker\'s ratio to HTTP', { timeout: 240_000 }, async () => {
    const jsonPath = join(dir, 'destinations.json');
    const run = await runBench(['--quick', '--only', 'destinations', '--json', jsonPath]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchJson;
    expect(report.notes).toEqual([]);
    const byId = new Map(report.figures.map((figure) => [figure.id, figure]));
    for (const id of ['destHttp', 'destRabbitmq', 'destRabbitmqRatio', 'destNats', 'destNatsRatio', 'destRedis', 'destRedisRatio']) {
      const figure = byId.get(id);
      expect(figure, id).toBeDefined();
      expect(Number.isFinite(figure!.value), `${id} = ${figure!.value}`).toBe(true);
      expect(figure!.value, id).toBeGreaterThan(0);
    }
    const { http, brokers } = report.runs.destinations;
    expect(http.deliveries).toBe(http.events);
    expect(http.duplicates).toBe(0);
    expect(Object.keys(brokers).sort()).toEqual(['nats', 'rabbitmq', 'redis']);
    for (const measured of Object.values(brokers)) expect(measured.delivered).toBeGreaterThanOrEqual(measured.events);
    expect(run.stdout).toContain('destinations: Redis Streams ÷ HTTP');

    // The bench's streams, exchanges and queues are its own, removed at the end: here, Redis's.
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys('hookd-bench-*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
