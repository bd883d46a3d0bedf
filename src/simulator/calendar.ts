/** Time arithmetic and the date spellings of tickers and titles. Everything is UTC. */

import { DAY_MS, HOUR_MS } from '../util/durations.js';

export { DAY_MS, HOUR_MS };

const MONTH_CODES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const floorDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = NaN;
let isoDayPrefix = '';

/**
 * `new Date(ms).toISOString()` for integer milliseconds in years 0–9999, about three times faster:
 * the date part is cached (interactions arrive in time order) and the time part is assembled from
 * lookup tables. Formatting timestamps was a tenth of the simulator's time.
 */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDay = day;
    isoDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / HOUR_MS);
  rest -= h * HOUR_MS;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${isoDayPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[rest - s * 1000]}Z`;
}

const yy = (d: Date) => String(d.getUTCFullYear() % 100).padStart(2, '0');
const dd = (d: Date) => String(d.getUTCDate()).padStart(2, '0');

/** Kalshi's event date codes: `26NOV22` for a day, `26DEC` for a month. */
export function dayCode(ms: number): string {
  const d = new Date(ms);
  return `${yy(d)}${MONTH_CODES[d.getUTCMonth()]}${dd(d)}`;
}

export function monthCode(ms: number): string {
  const d = new Date(ms);
  return `${yy(d)}${MONTH_CODES[d.getUTCMonth()]}`;
}

/** "Nov 22" */
export function shortDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTH_NAMES[d.getUTCMonth()]!.slice(0, 3)} ${d.getUTCDate()}`;
}

/** "Nov 22, 2026" */
export function longDate(ms: number): string {
  return `${shortDate(ms)}, ${new Date(ms).getUTCFullYear()}`;
}

/** "December 2026" */
export function monthYear(ms: number): string {
  const d = new Date(ms);
  return `${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "December" */
export function monthName(ms: number): string {
  return MONTH_NAMES[new Date(ms).getUTCMonth()]!;
}

/** 0 = January. */
export function monthIndex(ms: number): number {
  return new Date(ms).getUTCMonth();
}
