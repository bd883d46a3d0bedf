import { DAY_MS, HOUR_MS, floorDay, floorHour } from './calendar.js';
import type { Rng } from '../util/rng.js';
import type { SeriesTemplate, Topic } from './series/index.js';

/** One event's slot in a series' calendar. */
export interface Occurrence {
  openMs: number;
  closeMs: number;
  topic?: Topic;
}

/** Eastern wall clock as UTC milliseconds: the exchange dates everything in New York time. */
export const EASTERN_OFFSET_MS = -5 * HOUR_MS;

/**
 * Occurrences of a series that matter to the window: those closing after `fromMs` and listed by
 * `toMs`. Periodic series follow their calendar; one-off series open each topic once, at a random
 * time in the last `spreadDays` before `toMs`, so that fresh one-offs appear during the window too.
 */
export function occurrences(t: SeriesTemplate, fromMs: number, toMs: number, rng: Rng): Occurrence[] {
  const s = t.schedule;
  const all: Occurrence[] = [];
  const topicList = 'topics' in t.contract ? t.contract.topics : undefined;
  /** Topics of periodic series rotate with the calendar, not with the window, so reruns agree. */
  const topicFor = (slot: number) => (topicList ? topicList[slot % topicList.length] : undefined);
  const push = (closeMs: number, leadMs: number, slot: number) =>
    all.push({ openMs: closeMs - leadMs, closeMs, topic: topicFor(slot) });

  if (s.kind === 'one-off') {
    for (const topic of topicList ?? []) {
      const openMs = floorHour(toMs - rng.range(0, s.spreadDays) * DAY_MS);
      const closeMs = floorHour(openMs + rng.range(...s.lifetimeDays) * DAY_MS);
      all.push({ openMs, closeMs, topic });
    }
  } else if (s.kind === 'monthly') {
    const first = new Date(fromMs);
    for (let k = -1; ; k++) {
      const closeMs = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + k, s.day, s.closeHour);
      if (closeMs - s.leadDays * DAY_MS > toMs) break;
      push(closeMs, s.leadDays * DAY_MS, Math.floor(closeMs / (30 * DAY_MS)));
    }
  } else {
    const leadMs = s.kind === 'daily' ? s.leadHours * HOUR_MS : s.leadDays * DAY_MS;
    for (let day = floorDay(fromMs) - DAY_MS; day - leadMs <= toMs + DAY_MS; day += DAY_MS) {
      const closeMs = day + s.closeHour * HOUR_MS;
      const weekday = new Date(closeMs + EASTERN_OFFSET_MS).getUTCDay();
      if (s.kind === 'weekly' && new Date(day).getUTCDay() !== s.weekday) continue;
      if (s.kind === 'daily' && s.weekdaysOnly && (weekday === 0 || weekday === 6)) continue;
      push(closeMs, leadMs, Math.floor(day / (s.kind === 'weekly' ? 7 * DAY_MS : DAY_MS)));
    }
  }
  return all.filter((o) => o.closeMs > fromMs && o.openMs <= toMs);
}
