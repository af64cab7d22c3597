import type { DeliveryMeasurement } from '../context.js';
import type { Backend } from '../database.js';
import { figure, type Figure } from '../report.js';
import type { LatencyFigures } from '../scenarios/latency.js';
import type { PeerDelivery } from '../scenarios/peers.js';
import { peerLabel, type PeerName } from './peer-sender.js';

// The peers' rows of the table: each peer's own figures, then hookd's ratio to them. Throughput
// ratios above 1 and CPU or latency ratios below 1 favour hookd. The issue's targets against
// graphile-worker apply on PostgreSQL, where both share one database server.

function hasTargets(peer: PeerName, backend: Backend): boolean {
  return peer === 'graphile' && backend === 'postgres';
}

function micros(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(0)} µs`;
}

/** hookd ÷ peer, or NaN (shown n/a) when either is missing or the divisor is not positive. */
function ratio(hookd: number | null | undefined, peer: number | null | undefined): number {
  return hookd === null || hookd === undefined || peer === null || peer === undefined || peer <= 0 ? NaN : hookd / peer;
}

export function peerThroughputFigures(peer: PeerName, backend: Backend, measured: PeerDelivery, hookd: DeliveryMeasurement | null): Figure[] {
  const name = peerLabel(peer);
  const id = peer;
  const figures = [
    figure(`${id}Delivery1`, `${name} sender, 1 endpoint`, measured.deliveriesPerSecond, 'deliveries/s', undefined,
      `CPU ${micros(measured.senderCpuMicrosPerDelivery)} per delivery, ${measured.server} ${micros(measured.serverCpuMicrosPerDelivery)}`),
  ];
  if (hookd === null) return figures;
  // hookd's own database CPU is inside hookd on SQLite; on PostgreSQL it is measured apart.
  const hookdTotal = hookd.hookdCpuMicrosPerDelivery === null ? null : hookd.hookdCpuMicrosPerDelivery + (backend === 'sqlite' ? 0 : (hookd.databaseCpuMicrosPerDelivery ?? NaN));
  const peerTotal = measured.senderCpuMicrosPerDelivery === null || measured.serverCpuMicrosPerDelivery === null ? null : measured.senderCpuMicrosPerDelivery + measured.serverCpuMicrosPerDelivery;
  figures.push(
    figure(`${id}DeliveryRatio`, `delivery, 1 endpoint: hookd ÷ ${name}`, ratio(hookd.deliveriesPerSecond, measured.deliveriesPerSecond), '×',
      hasTargets(peer, backend) ? { kind: 'min', limit: 1 } : undefined),
    figure(`${id}CpuRatio`, `CPU per delivery, process: hookd ÷ ${name} sender`, ratio(hookd.hookdCpuMicrosPerDelivery, measured.senderCpuMicrosPerDelivery), '×', undefined,
      `${micros(hookd.hookdCpuMicrosPerDelivery)} vs ${micros(measured.senderCpuMicrosPerDelivery)}`),
  );
  if (backend === 'postgres') {
    figures.push(
      figure(`${id}ServerCpuRatio`, `CPU per delivery, hookd's PostgreSQL ÷ ${name}'s ${measured.server}`, ratio(hookd.databaseCpuMicrosPerDelivery, measured.serverCpuMicrosPerDelivery), '×', undefined,
        `${micros(hookd.databaseCpuMicrosPerDelivery)} vs ${micros(measured.serverCpuMicrosPerDelivery)}`),
    );
  }
  figures.push(
    figure(`${id}TotalCpuRatio`, `CPU per delivery, with database: hookd ÷ ${name} + ${measured.server}`, ratio(hookdTotal, peerTotal), '×', undefined,
      `${micros(hookdTotal)} vs ${micros(peerTotal)}`),
  );
  return figures;
}

export function peerLatencyFigures(peer: PeerName, backend: Backend, measured: LatencyFigures, hookd: LatencyFigures | null): Figure[] {
  const name = peerLabel(peer);
  const id = peer;
  const target = hasTargets(peer, backend) ? ({ kind: 'max', limit: 1 } as const) : undefined;
  const figures = [
    figure(`${id}LatencyP50`, `${name} sender: time to first attempt, p50`, measured.p50Ms, 'ms'),
    figure(`${id}LatencyP99`, `${name} sender: time to first attempt, p99`, measured.p99Ms, 'ms', undefined,
      `at ${Math.round(measured.achievedRatePerSecond)} events/s${measured.skipped === 0 ? '' : `, ${measured.skipped} skipped`}${measured.cpuMicrosPerEvent === null ? '' : `, CPU ${measured.cpuMicrosPerEvent.toFixed(0)} µs per event`}`),
  ];
  if (hookd === null) return figures;
  figures.push(
    figure(`${id}LatencyP50Ratio`, `time to first attempt p50: hookd ÷ ${name}`, ratio(hookd.p50Ms, measured.p50Ms), '×', target),
    figure(`${id}LatencyP99Ratio`, `time to first attempt p99: hookd ÷ ${name}`, ratio(hookd.p99Ms, measured.p99Ms), '×', target),
  );
  return figures;
}
