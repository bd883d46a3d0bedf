import type { FieldIssue } from '../../errors.js';
import { coll } from '../../store/collections.js';
import type { Store } from '../../store/types.js';
import { itemPath } from '../batch.js';

/**
 * Kalshi leaves most markets' `title` empty: the question is their event's, the market's own text
 * its outcome (subtitle). Such a market takes its event's title; while the event is unknown, its
 * outcome stands in as title. Items are mapped Kalshi markets in our shape, completed in place;
 * returns an issue for each that has neither (its `title` names the fix, not a missing string).
 */
export async function titlesFromEvents(
  store: Store,
  items: { index: number; value: Record<string, unknown> }[],
  name = 'markets',
): Promise<FieldIssue[]> {
  const untitled = items.filter(
    (i) => i.value.title === undefined && typeof i.value.eventTicker === 'string',
  );
  if (untitled.length === 0) return [];
  const events = await coll(store, 'events')
    .find(
      { eventTicker: { $in: [...new Set(untitled.map((i) => i.value.eventTicker as string))] } },
      { projection: { _id: 0, eventTicker: 1, title: 1 } },
    )
    .toArray();
  const titles = new Map(events.map((e) => [e.eventTicker, e.title]));
  const issues: FieldIssue[] = [];
  for (const { index, value } of untitled) {
    const eventTitle = titles.get(value.eventTicker as string);
    if (eventTitle) value.title = eventTitle;
    else if (typeof value.subtitle === 'string') {
      value.title = value.subtitle;
      delete value.subtitle;
    } else {
      issues.push({
        index,
        path: itemPath(name, index, ['title']),
        message: `empty, and neither its event "${String(value.eventTicker)}" (whose title is the question) nor an outcome subtitle is known: import the event first`,
      });
    }
  }
  return issues;
}
