import type { AttributionSettings, ReportEvent, Surface, Touch } from './report-types.js';

/**
 * Last-touch attribution: a trade goes to the user's last feed exposure of that market (an
 * impression or click naming a feed that was served to them) within the window before the trade,
 * or is organic (null). Ties are broken by a fixed order (later, then click over impression, then
 * eventId), so the same events in any order give the same answer.
 */
export function attributeTrade(
  trade: ReportEvent,
  exposures: readonly ReportEvent[],
  settings: AttributionSettings,
): Touch | null {
  const from = trade.ts.getTime() - settings.windowHours * 3_600_000;
  let best: ReportEvent | undefined;
  for (const e of exposures) {
    if (!isAttributable(e, settings) || e.userId !== trade.userId || e.ticker !== trade.ticker) continue;
    const t = e.ts.getTime();
    if (t > trade.ts.getTime() || t < from) continue;
    if (!best || laterTouch(e, best)) best = e;
  }
  return best ? touchOf(best) : null;
}

/** An exposure that can earn a trade: served to this user by a known feed, of a type that counts. */
export function isAttributable(e: ReportEvent, settings: AttributionSettings): boolean {
  if (e.type !== 'click' && (settings.clickThroughOnly || e.type !== 'impression')) return false;
  return e.feedId !== undefined && e.attribution !== undefined && e.feedIssue === undefined;
}

function laterTouch(a: ReportEvent, b: ReportEvent): boolean {
  const dt = a.ts.getTime() - b.ts.getTime();
  if (dt !== 0) return dt > 0;
  if (a.type !== b.type) return a.type === 'click';
  return a.eventId < b.eventId;
}

export function touchOf(e: ReportEvent): Touch {
  const a = e.attribution!;
  return {
    eventId: e.eventId,
    type: e.type as Touch['type'],
    ts: e.ts,
    feedId: e.feedId!,
    surface: surfaceOf(e),
    position: e.position ?? null,
    ranker: a.ranker,
    rankerVersion: a.rankerVersion ?? null,
    model: a.model,
    experiment: a.experiment?.key ?? null,
    variation: a.experiment?.variation ?? null,
  };
}

/** Impressions and clicks stored before surfaces were recorded came from the feed. */
export function surfaceOf(e: ReportEvent): Surface {
  return e.attribution?.surface ?? 'feed';
}
