/** Durations in milliseconds, defined once (UTC days: no daylight saving, no leap seconds). */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
