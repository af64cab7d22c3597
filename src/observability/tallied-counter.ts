import { Counter, type Registry } from 'prom-client';

// A Prometheus counter with one or two labels whose counts live in plain maps until a scrape.
// prom-client hashes the label object on every increment; a delivery hot path doing that for
// every attempt allocates for nothing. Here an increment is two map lookups once the series
// exists, and the labels are built only when Prometheus asks.

/** Where values of the first label beyond its budget are counted. */
export const OTHER = '_other';

export interface TalliedCounterOptions {
  name: string;
  help: string;
  labelNames: [string] | [string, string];
  /** The most distinct values of the first label with their own series; later ones go to `_other`. */
  maxFirstLabelValues: number;
}

export class TalliedCounter {
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(
    registry: Registry,
    private readonly options: TalliedCounterOptions,
  ) {
    const counts = this.counts;
    const [first, second] = options.labelNames;
    new Counter({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [firstValue, bySecond] of counts) {
          for (const [secondValue, count] of bySecond) {
            this.inc(second === undefined ? { [first]: firstValue } : { [first]: firstValue, [second]: secondValue }, count);
          }
        }
      },
    });
  }

  inc(firstValue: string, secondValue = ''): void {
    let bySecond = this.counts.get(firstValue);
    if (bySecond === undefined) {
      const key = this.counts.size < this.options.maxFirstLabelValues ? firstValue : OTHER;
      bySecond = this.counts.get(key) ?? new Map<string, number>();
      this.counts.set(key, bySecond);
    }
    bySecond.set(secondValue, (bySecond.get(secondValue) ?? 0) + 1);
  }
}
