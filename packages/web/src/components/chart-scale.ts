// The vertical scale of the endpoint charts. Counts and milliseconds are whole numbers, so every
// tick is one: a chart of 0–1 attempts reads 0 and 1, never "1, 1, 0" from a rounded 0.5.

export interface Scale {
  /** The top of the axis: 1, 2 or 5 × 10^n, at least 1. */
  max: number;
  /** Tick values from the bottom (always 0) to the top. */
  ticks: number[];
}

/** A round upper bound for an axis: 1, 2, 5 × 10^n. */
function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

export function wholeNumberScale(highest: number): Scale {
  const max = niceMax(highest);
  const middle = max / 2;
  return { max, ticks: Number.isInteger(middle) && middle > 0 ? [0, middle, max] : [0, max] };
}
