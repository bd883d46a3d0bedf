/**
 * A report's day: from the cutoff on that calendar date in the report's time zone to the cutoff on
 * the next date. Computed with Intl's time-zone data, so a day across a DST change lasts 23 or 25
 * hours, as the exchange's day does.
 */

export interface ReportDay {
  /** The calendar date, YYYY-MM-DD. */
  date: string;
  /** First instant of the day (inclusive). */
  start: Date;
  /** First instant of the next day (exclusive). */
  end: Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Whether `date` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(date: string): boolean {
  const m = DATE.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === date;
}

/** The day `date` (YYYY-MM-DD) cut at `cutoff` (HH:MM) in `zone`. */
export function reportDay(date: string, zone: string, cutoff: string): ReportDay {
  if (!isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  const c = CUTOFF.exec(cutoff);
  if (!c) throw new RangeError(`not a cutoff HH:MM: ${cutoff}`);
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const at = (day: number) => zonedInstant(zone, y, mo, day, Number(c[1]), Number(c[2]));
  return { date, start: at(d), end: at(d + 1) };
}

/** The latest day that has ended by `now` (its end ≤ now). */
export function lastEndedDay(now: Date, zone: string, cutoff: string): ReportDay {
  const local = localDate(now, zone);
  for (let back = 0; back < 3; back++) {
    const day = reportDay(shiftDate(local, -back), zone, cutoff);
    if (day.end.getTime() <= now.getTime()) return day;
  }
  throw new Error('unreachable: a day ended within three calendar days');
}

/** `date` moved by `days` calendar days. */
export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The calendar date of `instant` in `zone`. */
function localDate(instant: Date, zone: string): string {
  const p = wallClock(instant, zone);
  return new Date(Date.UTC(p.year, p.month - 1, p.day)).toISOString().slice(0, 10);
}

/**
 * The instant whose wall clock in `zone` reads this date and time. A wall time skipped by a DST
 * change (02:30 on a spring-forward night) maps past the gap, as clocks move; one that happens
 * twice maps to its first occurrence.
 */
function zonedInstant(zone: string, y: number, mo: number, d: number, h: number, mi: number): Date {
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  // Offsets of a day before and after bracket any change near this wall time.
  const offsets = [offsetAt(wanted - 86_400_000, zone), offsetAt(wanted + 86_400_000, zone)];
  const candidates = offsets
    .map((offset) => wanted - offset)
    .filter((t) => offsetAt(t, zone) === wanted - t)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In the gap: the earlier offset carries the wall time past the change.
  return new Date(wanted - Math.min(...offsets));
}

/** How far `zone`'s wall clock is ahead of UTC at `t`, in ms. */
function offsetAt(t: number, zone: string): number {
  const p = wallClock(new Date(t), zone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(t / 1000) * 1000;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: Date, zone: string) {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}
