import type { EndpointStatsBucket } from '@hookd/sdk/client';
import { plural } from '../format.js';
import { wholeNumberScale, type Scale } from './chart-scale.js';

// An endpoint's last day, hour by hour, as two small SVG charts drawn here (no chart library):
// attempts stacked by outcome, and latency p50/p99. Each has a text alternative.

const WIDTH = 480;
const HEIGHT = 140;
const PAD = { top: 10, right: 8, bottom: 22, left: 40 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

function hourLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function Axis({ scale, format }: { scale: Scale; format: (v: number) => string }) {
  return (
    <g className="axis" aria-hidden="true" data-testid="axis">
      {scale.ticks.map((tick) => {
        const y = PAD.top + PLOT_H * (1 - tick / scale.max);
        return (
          <g key={tick}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} className="grid-line" />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {format(tick)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function TimeLabels({ series }: { series: EndpointStatsBucket[] }) {
  const step = PLOT_W / series.length;
  return (
    <g className="axis" aria-hidden="true">
      {series.map((bucket, i) =>
        i % 6 === 0 || i === series.length - 1 ? (
          <text key={bucket.start} x={PAD.left + step * i + step / 2} y={HEIGHT - 6} textAnchor="middle">
            {i === series.length - 1 ? 'now' : hourLabel(bucket.start)}
          </text>
        ) : null,
      )}
    </g>
  );
}

export function AttemptsChart({ series }: { series: EndpointStatsBucket[] }) {
  const scale = wholeNumberScale(Math.max(0, ...series.map((b) => b.succeeded + b.failed)));
  const max = scale.max;
  const step = PLOT_W / Math.max(1, series.length);
  const barW = Math.max(2, step * 0.7);
  const total = series.reduce((sum, b) => sum + b.succeeded + b.failed, 0);
  const ok = series.reduce((sum, b) => sum + b.succeeded, 0);
  const summary = total === 0 ? 'No attempts in the last 24 hours.' : `${plural(total, 'attempt')} in the last 24 hours, ${ok} succeeded (${((ok / total) * 100).toFixed(1)} %).`;
  return (
    <figure className="chart">
      <figcaption>
        Attempts per hour <span className="legend legend-success">succeeded</span> <span className="legend legend-danger">failed</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} data-testid="attempts-chart">
        <Axis scale={scale} format={String} />
        {series.map((bucket, i) => {
          const x = PAD.left + step * i + (step - barW) / 2;
          const okH = (bucket.succeeded / max) * PLOT_H;
          const failH = (bucket.failed / max) * PLOT_H;
          const base = PAD.top + PLOT_H;
          return (
            <g key={bucket.start}>
              <title>{`${hourLabel(bucket.start)}: ${bucket.succeeded} succeeded, ${bucket.failed} failed`}</title>
              {okH > 0 && <rect x={x} y={base - okH} width={barW} height={okH} className="bar-success" />}
              {failH > 0 && <rect x={x} y={base - okH - failH} width={barW} height={failH} className="bar-danger" />}
            </g>
          );
        })}
        <TimeLabels series={series} />
      </svg>
      <p className="chart-summary">{summary}</p>
    </figure>
  );
}

function linePath(series: EndpointStatsBucket[], value: (b: EndpointStatsBucket) => number | null, max: number): string {
  const step = PLOT_W / Math.max(1, series.length);
  let path = '';
  let drawing = false;
  series.forEach((bucket, i) => {
    const v = value(bucket);
    if (v === null) {
      drawing = false;
      return;
    }
    const x = PAD.left + step * i + step / 2;
    const y = PAD.top + PLOT_H * (1 - v / max);
    path += `${drawing ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
    drawing = true;
  });
  return path.trim();
}

export function LatencyChart({ series }: { series: EndpointStatsBucket[] }) {
  const scale = wholeNumberScale(Math.max(0, ...series.map((b) => b.latencyMs.p99 ?? 0)));
  const max = scale.max;
  const step = PLOT_W / Math.max(1, series.length);
  const measured = series.filter((b) => b.latencyMs.p50 !== null);
  const last = measured[measured.length - 1];
  const summary = last === undefined ? 'No latency measured in the last 24 hours.' : `Latest hour with attempts: p50 ${last.latencyMs.p50} ms, p99 ${last.latencyMs.p99} ms.`;
  return (
    <figure className="chart">
      <figcaption>
        Latency <span className="legend legend-accent">p50</span> <span className="legend legend-warning">p99</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} data-testid="latency-chart">
        <Axis scale={scale} format={(v) => (v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${v}ms`)} />
        <path d={linePath(series, (b) => b.latencyMs.p99, max)} className="line-warning" />
        <path d={linePath(series, (b) => b.latencyMs.p50, max)} className="line-accent" />
        {series.map((bucket, i) =>
          bucket.latencyMs.p50 === null || bucket.latencyMs.p99 === null ? null : (
            <g key={bucket.start}>
              <title>{`${hourLabel(bucket.start)}: p50 ${bucket.latencyMs.p50} ms, p99 ${bucket.latencyMs.p99} ms`}</title>
              <circle cx={PAD.left + step * i + step / 2} cy={PAD.top + PLOT_H * (1 - bucket.latencyMs.p99 / max)} r={2.5} className="dot-warning" />
              <circle cx={PAD.left + step * i + step / 2} cy={PAD.top + PLOT_H * (1 - bucket.latencyMs.p50 / max)} r={2.5} className="dot-accent" />
            </g>
          ),
        )}
        <TimeLabels series={series} />
      </svg>
      <p className="chart-summary">{summary}</p>
    </figure>
  );
}
