/** Injected wherever time decides an outcome, so schedules and timeouts are tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Uniform in [0, 1): injected for jitter. */
export type RandomSource = () => number;
