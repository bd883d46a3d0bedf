import type { z } from 'zod';
import {
  INTERACTION_TYPES,
  type eventInput,
  type interactionInput,
  type marketInput,
  type seriesInput,
  type userInput,
} from '../domain/schemas.js';
import { attention } from './attention.js';
import { DAY_MS, iso } from './calendar.js';
import type { Catalogue, SimMarket } from './catalogue.js';
import type { InteractionBuffer } from './interaction-buffer.js';
import { quoteCents } from './prices.js';
import { COUNTRIES, PLATFORMS, type Population } from './users.js';

/**
 * The simulation as the exchange would publish it: objects in exactly the input shapes of
 * src/domain/schemas.ts (wire form, dates as ISO-8601 strings), ready for JSONL or for `parseBatch`.
 */
export type SeriesRecord = z.input<typeof seriesInput>;
export type EventRecord = z.input<typeof eventInput>;
export type MarketRecord = z.input<typeof marketInput>;
export type UserRecord = z.input<typeof userInput>;
export type InteractionRecord = z.input<typeof interactionInput>;

/** Contracts traded exchange-wide per hour per unit of attention. */
export const VOLUME_PER_ATTENTION = 40;
/** Dollars resting on the book per unit of appeal. */
const LIQUIDITY_PER_APPEAL = 2_000;

export const userId = (index: number): string => `user-${index + 1}`;

export function seriesRecords(cat: Catalogue): SeriesRecord[] {
  return cat.series.map(({ template: t }) => ({
    ticker: t.ticker,
    title: t.title,
    category: t.category,
    tags: t.tags,
    frequency: t.frequency,
  }));
}

export function eventRecords(cat: Catalogue): EventRecord[] {
  return cat.events.map((e) => {
    const series = cat.series[e.series]!.template;
    return {
      eventTicker: e.ticker,
      seriesTicker: series.ticker,
      title: e.title,
      subtitle: e.subtitle,
      category: series.category,
      mutuallyExclusive: e.mutuallyExclusive,
    };
  });
}

/** Each market as a snapshot taken at the end of the window. */
export function marketRecords(cat: Catalogue): MarketRecord[] {
  return cat.markets.map((m) => marketRecord(cat, m));
}

export function marketStatus(cat: Catalogue, m: SimMarket): MarketRecord['status'] {
  if (m.openMs > cat.endMs) return 'unopened';
  if (m.closeMs > cat.endMs) return 'open';
  return m.expirationMs > cat.endMs ? 'closed' : 'settled';
}

function marketRecord(cat: Catalogue, m: SimMarket): MarketRecord {
  const series = cat.series[m.series]!.template;
  const status = marketStatus(cat, m);
  const record: MarketRecord = {
    ticker: m.ticker,
    eventTicker: cat.events[m.event]!.ticker,
    seriesTicker: series.ticker,
    title: m.title,
    subtitle: m.subtitle,
    category: series.category,
    tags: series.tags,
    status,
    openTime: iso(m.openMs),
    closeTime: iso(m.closeMs),
    expirationTime: iso(m.expirationMs),
  };
  if (status === 'unopened') return { ...record, volume: 0, volume24h: 0, openInterest: 0, liquidity: 0 };
  let volume = 0;
  let volume24h = 0;
  const last = Math.min(m.closeHour, cat.hours);
  for (let h = m.openHour; h < last; h++) {
    const traded = VOLUME_PER_ATTENTION * attention(cat, m, h);
    volume += traded;
    if (h >= cat.hours - 24) volume24h += traded;
  }
  const counts = {
    volume: Math.round(volume),
    volume24h: Math.round(volume24h),
    openInterest: status === 'settled' ? 0 : Math.round(volume * m.openInterestShare),
  };
  if (status !== 'open') return { ...record, lastPrice: m.finalCents! / 100, ...counts, liquidity: 0 };
  const mid = m.cents[cat.hours - m.openHour]!;
  const { bid, ask } = quoteCents(mid, m.spreadCents);
  return {
    ...record,
    yesBid: bid / 100,
    yesAsk: ask / 100,
    lastPrice: mid / 100,
    ...counts,
    liquidity: Math.round(LIQUIDITY_PER_APPEAL * m.appeal * m.liquidityScale),
  };
}

/** Targeting attributes as experiments see them; tenure is measured at the end of the window. */
export function userRecord(pop: Population, u: number, endMs: number): UserRecord {
  const signup = pop.signupMs[u]!;
  const tenureDays = (endMs - signup) / DAY_MS;
  return {
    userId: userId(u),
    attributes: {
      country: COUNTRIES[pop.country[u]!]!,
      platform: PLATFORMS[pop.platform[u]!]!,
      signupDate: iso(signup).slice(0, 10),
      tenure: tenureDays < 30 ? 'new' : tenureDays < 365 ? 'established' : 'veteran',
    },
  };
}

/** How interactions are named: ids are numbered from the seed, feeds from the user's day and session. */
export interface InteractionNaming {
  seed: number;
  day: number;
  cat: Catalogue;
}

const SIDES = [undefined, 'yes', 'no'] as const;

export const feedId = (seed: number, user: number, day: number, session: number): string =>
  `f-${seed}-${user + 1}-${day}-${session}`;

/** The wire form of interaction `i` of a day's buffer; `n` is its number in the whole run. */
export function interactionRecord(
  buf: InteractionBuffer,
  i: number,
  n: number,
  naming: InteractionNaming,
): InteractionRecord {
  const user = buf.user[i]!;
  const record: InteractionRecord = {
    eventId: `sim-${naming.seed}-${n}`,
    userId: userId(user),
    ticker: naming.cat.markets[buf.market[i]!]!.ticker,
    type: INTERACTION_TYPES[buf.type[i]!]!,
    ts: iso(buf.ts[i]!),
  };
  if (buf.side[i]) {
    record.side = SIDES[buf.side[i]!];
    record.contracts = buf.contracts[i];
    record.price = buf.priceCents[i]! / 100;
  }
  if (buf.session[i]! >= 0) {
    record.feedId = feedId(naming.seed, user, naming.day, buf.session[i]!);
    record.position = buf.position[i];
  }
  return record;
}

export const CSV_HEADER = 'eventId,userId,ticker,type,ts,side,contracts,price,feedId,position\n';

/**
 * The same interaction as a CSV row of `interactions.csv` (empty cells for absent values). Written by
 * hand rather than through csv-stringify: every value is a number or an identifier we generate from
 * letters, digits and `-._:`, so nothing ever needs quoting, and this is several times faster.
 */
export function interactionCsvRow(
  buf: InteractionBuffer,
  i: number,
  n: number,
  naming: InteractionNaming,
): string {
  const user = buf.user[i]!;
  const side = buf.side[i]!;
  const session = buf.session[i]!;
  // One template per row: intermediate pieces would double the garbage the collector has to chase.
  return `sim-${naming.seed}-${n},user-${user + 1},${naming.cat.markets[buf.market[i]!]!.ticker},${
    INTERACTION_TYPES[buf.type[i]!]
  },${iso(buf.ts[i]!)},${side ? SIDES[side] : ''},${side ? buf.contracts[i] : ''},${
    side ? buf.priceCents[i]! / 100 : ''
  },${session >= 0 ? feedId(naming.seed, user, naming.day, session) : ''},${session >= 0 ? buf.position[i] : ''}\n`;
}
