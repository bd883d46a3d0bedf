/** The exchange's time, in epoch milliseconds. */
export interface ExchangeClock {
  now(): number;
}

/**
 * Starts at `startMs` (the wall clock by default) and runs `speed` times faster than it. At speed 1
 * the exchange keeps the wall clock, which is what clients comparing its times with their own
 * (Sibyl's feed horizon, its interaction timestamps) need; faster speeds run ahead of it.
 */
export function acceleratedClock(speed: number, startMs = Date.now()): ExchangeClock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be positive, got ${speed}`);
  const origin = performance.now();
  return { now: () => Math.round(startMs + (performance.now() - origin) * speed) };
}

/** A clock tests move by hand. */
export class ManualClock implements ExchangeClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}
