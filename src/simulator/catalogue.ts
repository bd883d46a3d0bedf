import { HOUR_MS, monthIndex } from './calendar.js';
import { listEvents, type EventListing, type LevelAt } from './listings.js';
import { News } from './news.js';
import { SeriesTrends } from './trends.js';
import { ladderCents, resolvingPaths, walk, type WalkSpec } from './prices.js';
import { Rng } from '../util/rng.js';
import { occurrences } from './schedule.js';
import { CATEGORIES, SERIES_TEMPLATES, type LadderContract, type SeriesTemplate } from './series/index.js';

/**
 * The simulated exchange's catalogue: every series, event and market that is live at some point of
 * the window (or listed just after it), with hourly mid prices. Hour 0 is the window's start; a
 * market's `cents[k]` is its mid price during hour `openHour + k`.
 */

/**
 * How far past the end events are already listed (as `unopened`). `--end` defaults to the start of
 * today, so this covers the whole day: the market-sync job opens them as their open time passes and
 * a feed served late in the day still has today's and tomorrow's dailies.
 */
const LISTING_LOOKAHEAD_MS = 36 * HOUR_MS;

export interface SimSeries {
  index: number;
  template: SeriesTemplate;
  category: number;
}

export interface SimEvent {
  index: number;
  ticker: string;
  series: number;
  title: string;
  subtitle: string;
  mutuallyExclusive: boolean;
  markets: number[];
}

export interface SimMarket {
  index: number;
  ticker: string;
  event: number;
  series: number;
  category: number;
  title: string;
  subtitle: string;
  openMs: number;
  closeMs: number;
  expirationMs: number;
  openHour: number;
  closeHour: number;
  /** Mid price in cents per hour from the open until the close or the end of the window (inclusive). */
  cents: Uint8Array;
  /** Settlement price in cents (1 or 99) when the market closed within the window. */
  finalCents?: number;
  /** Latent appeal: how much attention the exchange's users give it, all else equal. */
  appeal: number;
  logAppeal: number;
  spreadCents: number;
  /** Share of traded volume still held as open interest. */
  openInterestShare: number;
  liquidityScale: number;
}

/**
 * The temporal dynamics real logs have, each of which can be switched off to measure what it does.
 * `sibyl simulate`, `sibyl exchange` and `sibyl traffic` always run with all three.
 */
export interface Dynamics {
  /** Bursts of attention to a series around news, decaying over hours (./news.ts). */
  news: boolean;
  /** Popularity that moves: markets fade with age (./attention.ts), series go in and out of fashion (./trends.ts). */
  popularity: boolean;
  /** Tastes that move: half the users drift to a new favourite category, everyone's interests wander (./users.ts). */
  tastes: boolean;
}

export const ALL_DYNAMICS: Readonly<Dynamics> = { news: true, popularity: true, tastes: true };
export const NO_DYNAMICS: Readonly<Dynamics> = { news: false, popularity: false, tastes: false };

export interface Catalogue {
  startMs: number;
  endMs: number;
  /** Hours in the window. */
  hours: number;
  /** The window's start as an absolute hour (hours since the Unix epoch). */
  startHour: number;
  dynamics: Readonly<Dynamics>;
  /** News about each series, hour by hour (./news.ts). */
  news: News;
  /** Each series' popularity going in and out of fashion (./trends.ts). */
  trends: SeriesTrends;
  series: SimSeries[];
  events: SimEvent[];
  markets: SimMarket[];
}

export function buildCatalogue(
  seed: number,
  startMs: number,
  endMs: number,
  dynamics: Readonly<Dynamics> = ALL_DYNAMICS,
): Catalogue {
  const hourOf = (ms: number) => Math.round((ms - startMs) / HOUR_MS);
  const hours = hourOf(endMs);
  const slots = SERIES_TEMPLATES.map((t) =>
    occurrences(t, startMs, endMs + LISTING_LOOKAHEAD_MS, Rng.of(seed, 'schedule', t.ticker)),
  );
  const levelAt = underlyingPaths(seed, slots, startMs, hours);
  const cat: Catalogue = {
    startMs,
    endMs,
    hours,
    startHour: Math.round(startMs / HOUR_MS),
    dynamics,
    news: new News(seed, SERIES_TEMPLATES, dynamics.news),
    trends: new SeriesTrends(seed, SERIES_TEMPLATES, dynamics.popularity),
    series: [],
    events: [],
    markets: [],
  };
  const seen = new Set<string>();
  SERIES_TEMPLATES.forEach((template, s) => {
    cat.series.push({ index: s, template, category: CATEGORIES.indexOf(template.category) });
    const rng = Rng.of(seed, 'listing', template.ticker);
    for (const occurrence of slots[s]!) {
      for (const listing of listEvents(template, occurrence, rng, levelAt)) {
        claim(seen, `event ${listing.ticker}`);
        for (const m of listing.markets) claim(seen, `market ${m.ticker}`);
        addEvent(cat, seed, s, listing, hourOf, levelAt);
      }
    }
  });
  return cat;
}

/** Templates must never produce two events or two markets with one ticker. */
function claim(seen: Set<string>, key: string): void {
  if (seen.has(key)) throw new Error(`simulator catalogue: duplicate ${key}`);
  seen.add(key);
}

function addEvent(
  cat: Catalogue,
  seed: number,
  series: number,
  listing: EventListing,
  hourOf: (ms: number) => number,
  levelAt: LevelAt,
): void {
  const template = cat.series[series]!.template;
  const openHour = hourOf(listing.openMs);
  const closeHour = hourOf(listing.closeMs);
  // Priced through hour `hours` itself: the end of the window is when the snapshot is taken.
  const priced = Math.max(0, Math.min(closeHour, cat.hours + 1) - openHour);
  const resolved = closeHour <= cat.hours;
  const rng = Rng.of(seed, 'event', listing.ticker);
  const prices = priceEvent(
    listing,
    rng,
    { openHour, closeHour, priced, resolved, startMs: cat.startMs },
    levelAt,
    template,
  );
  const hype = rng.lognormal(0, 0.5);
  const event: SimEvent = {
    index: cat.events.length,
    ticker: listing.ticker,
    series,
    title: listing.title,
    subtitle: listing.subtitle,
    mutuallyExclusive: listing.mutuallyExclusive,
    markets: [],
  };
  cat.events.push(event);
  listing.markets.forEach((m, i) => {
    const appeal = template.popularity * hype * rng.lognormal(0, 0.35);
    event.markets.push(cat.markets.length);
    cat.markets.push({
      index: cat.markets.length,
      ticker: m.ticker,
      event: event.index,
      series,
      category: cat.series[series]!.category,
      title: m.title,
      subtitle: m.subtitle,
      openMs: listing.openMs,
      closeMs: listing.closeMs,
      expirationMs: listing.closeMs + (1 + rng.int(3)) * HOUR_MS,
      openHour,
      closeHour,
      cents: prices.cents[i]!,
      finalCents: prices.final?.[i],
      appeal,
      logAppeal: Math.log(appeal),
      spreadCents: Math.min(4, Math.max(1, Math.round(2.5 / Math.sqrt(appeal)))),
      openInterestShare: rng.range(0.2, 0.6),
      liquidityScale: rng.lognormal(0, 0.5),
    });
  });
}

interface Span {
  openHour: number;
  closeHour: number;
  priced: number;
  /** Whether the close falls inside the window, so the settlement is known. */
  resolved: boolean;
  startMs: number;
}

function priceEvent(
  listing: EventListing,
  rng: Rng,
  span: Span,
  levelAt: LevelAt,
  template: SeriesTemplate,
): { cents: Uint8Array[]; final?: number[] } {
  const p = listing.pricing;
  if (p.kind === 'resolving') {
    const priors = listing.markets.map((m) => m.prior!);
    const paths = resolvingPaths(rng, {
      priors,
      exclusive: p.exclusive,
      lifetimeHours: span.closeHour - span.openHour,
      hours: span.priced,
      vol: p.vol,
    });
    return { cents: paths.cents, final: span.resolved ? paths.final : undefined };
  }
  const c = p.contract;
  let x: (hour: number) => number;
  if (p.perEventLevel !== undefined) {
    const level = p.perEventLevel;
    const own = walk(
      rng,
      { ...walkSpec(c, span.startMs), mean: () => level, start: level },
      span.openHour,
      span.priced + 1,
    );
    x = (hour) => own[Math.min(own.length - 1, Math.max(0, hour - span.openHour))]!;
  } else {
    x = (hour) => levelAt(template, span.startMs + hour * HOUR_MS);
  }
  const cents = listing.markets.map((m) => {
    const path = new Uint8Array(span.priced);
    for (let k = 0; k < span.priced; k++) {
      const hour = span.openHour + k;
      path[k] = ladderCents(c, x(hour), m.strike!, span.closeHour - hour);
    }
    return path;
  });
  const final = span.resolved
    ? listing.markets.map((m) => ladderCents(c, x(span.closeHour), m.strike!, 0))
    : undefined;
  return { cents, final };
}

function walkSpec(c: LadderContract, startMs: number): WalkSpec {
  const mean =
    typeof c.level === 'number'
      ? () => c.level as number
      : (hour: number) => (c.level as (m: number) => number)(monthIndex(startMs + hour * HOUR_MS));
  return { mean, start: mean(0), vol: c.vol, relative: c.relative ?? false, reversion: c.reversion ?? 0 };
}

/**
 * One hourly path per ladder underlying, long enough for every event that prices off it; series
 * sharing an underlying (daily and month-end Bitcoin) share the path.
 */
function underlyingPaths(
  seed: number,
  slots: { openMs: number }[][],
  startMs: number,
  hours: number,
): LevelAt {
  const ranges = new Map<string, { first: number; contract: LadderContract }>();
  SERIES_TEMPLATES.forEach((t, s) => {
    const c = t.contract;
    if (c.kind !== 'ladder' || c.perEvent) return;
    const key = c.underlying ?? t.ticker;
    const first = Math.min(0, ...slots[s]!.map((o) => Math.floor((o.openMs - startMs) / HOUR_MS)));
    const known = ranges.get(key);
    ranges.set(key, { first: Math.min(first, known?.first ?? 0), contract: known?.contract ?? c });
  });
  const paths = new Map<string, { first: number; path: Float64Array }>();
  for (const [key, { first, contract }] of ranges) {
    const spec = walkSpec(contract, startMs);
    const path = walk(
      Rng.of(seed, 'underlying', key),
      { ...spec, start: spec.mean(first) },
      first,
      hours - first + 1,
    );
    paths.set(key, { first, path });
  }
  return (t, ms) => {
    const c = t.contract as LadderContract;
    const { first, path } = paths.get(c.underlying ?? t.ticker)!;
    const k = Math.round((ms - startMs) / HOUR_MS) - first;
    return path[Math.min(path.length - 1, Math.max(0, k))]!;
  };
}
