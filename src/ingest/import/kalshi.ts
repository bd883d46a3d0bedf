import type { MarketStatus } from '../../domain/schemas.js';
import type { RecordType } from './record-types.js';

/**
 * Kalshi Trade API v2 objects (`GET /trade-api/v2/series`, `/events`, `/markets`) mapped to our
 * input shapes, which then go through the same validation as everything else. Only the fields we
 * use are read; Kalshi's many others (rules, strikes, order-book sizes…) are left behind.
 */

/** A record in our input shape, with the field of the file each of its fields was read from. */
export interface MappedRecord {
  value: Record<string, unknown>;
  /** Our field → the Kalshi field it came from, so a bad value is reported under the name in the file. */
  sourceFields: Record<string, string>;
}

/**
 * Kalshi's market states, old and new API versions, onto ours. `inactive` is a halted market;
 * `determined` (outcome known, payout pending) already counts as settled for recommendations,
 * while a `disputed` outcome is not final. Unknown states pass through and fail validation by name.
 */
const KALSHI_STATUS: Record<string, MarketStatus> = {
  initialized: 'unopened',
  unopened: 'unopened',
  open: 'open',
  active: 'open',
  paused: 'paused',
  inactive: 'paused',
  closed: 'closed',
  disputed: 'closed',
  determined: 'settled',
  amended: 'settled',
  finalized: 'settled',
  settled: 'settled',
};

/**
 * Whether an object is Kalshi's rather than ours. Kalshi names fields in snake_case and we in
 * camelCase: markets and events always carry `event_ticker`; series share their five fields with
 * ours, so any snake_case field (`contract_url`, `settlement_sources`, `fee_type`…) gives them away.
 */
export function isKalshiShaped(recordType: RecordType, item: unknown): item is Record<string, unknown> {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
  switch (recordType) {
    case 'markets':
    case 'events':
      return 'event_ticker' in item;
    case 'series':
      return Object.keys(item).some((key) => key.includes('_'));
    default:
      return false;
  }
}

export function fromKalshi(recordType: RecordType, item: Record<string, unknown>): MappedRecord {
  switch (recordType) {
    case 'markets':
      return kalshiMarket(item);
    case 'events':
      return new Mapping(item)
        .take('eventTicker', 'event_ticker')
        .take('seriesTicker', 'series_ticker')
        .take('title', 'title')
        .take('subtitle', 'sub_title')
        .take('category', 'category')
        .take('mutuallyExclusive', 'mutually_exclusive')
        .result();
    case 'series':
      return new Mapping(item)
        .take('ticker', 'ticker')
        .take('title', 'title')
        .take('category', 'category')
        .take('tags', 'tags')
        .take('frequency', 'frequency')
        .result();
    default:
      throw new Error(`Kalshi has no ${recordType} objects`);
  }
}

/**
 * Prices come as decimal dollar strings (`yes_bid_dollars: "0.4200"`) and counts as decimal strings
 * (`volume_fp: "1234.00"`); older responses carry integer cents (`yes_bid: 42`) and integer counts,
 * read only when the newer field is absent. The outcome (`subtitle`, newer `yes_sub_title`) is the
 * subtitle. `title` is often empty, the question being the event's: see ./event-titles.ts.
 */
function kalshiMarket(item: Record<string, unknown>): MappedRecord {
  const mapped = new Mapping(item)
    .take('ticker', 'ticker')
    .take('eventTicker', 'event_ticker')
    .take('seriesTicker', 'series_ticker')
    .take('title', 'title')
    .take('subtitle', ['subtitle', 'yes_sub_title'])
    .take('category', 'category')
    .take('status', 'status', (v) => (typeof v === 'string' ? (KALSHI_STATUS[v.toLowerCase()] ?? v) : v))
    .take('openTime', 'open_time')
    .take('closeTime', 'close_time')
    .take('expirationTime', ['expiration_time', 'latest_expiration_time'])
    .take('yesBid', ['yes_bid_dollars', 'yes_bid'], dollars)
    .take('yesAsk', ['yes_ask_dollars', 'yes_ask'], dollars)
    .take('lastPrice', ['last_price_dollars', 'last_price'], dollars)
    .take('volume', ['volume_fp', 'volume'], decimal)
    .take('volume24h', ['volume_24h_fp', 'volume_24h'], decimal)
    .take('openInterest', ['open_interest_fp', 'open_interest'], decimal)
    .take('liquidity', ['liquidity_dollars', 'liquidity'], dollars)
    .result();
  if (mapped.value.subtitle === mapped.value.title) {
    delete mapped.value.subtitle;
    delete mapped.sourceFields.subtitle;
  }
  return mapped;
}

class Mapping {
  private readonly value: Record<string, unknown> = {};
  private readonly sourceFields: Record<string, string> = {};

  constructor(private readonly source: Record<string, unknown>) {}

  /**
   * Sets `field` from the first of `keys` that has a value (Kalshi sends `null` and `""` for none).
   * When none has, a complaint about the missing field names the first key.
   */
  take(
    field: string,
    keys: string | string[],
    convert: (value: unknown, key: string) => unknown = (v) => v,
  ): this {
    const candidates = typeof keys === 'string' ? [keys] : keys;
    const key = candidates.find(
      (k) => this.source[k] !== undefined && this.source[k] !== null && this.source[k] !== '',
    );
    this.sourceFields[field] = key ?? candidates[0]!;
    if (key !== undefined) this.value[field] = convert(this.source[key], key);
    return this;
  }

  result(): MappedRecord {
    return { value: this.value, sourceFields: this.sourceFields };
  }
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A decimal string or number as a number; anything else is passed on for validation to reject by name. */
function decimal(value: unknown): unknown {
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value);
  return value;
}

/** `*_dollars` fields are dollars already; the older fields of the same meaning are integer cents. */
function dollars(value: unknown, key: string): unknown {
  const n = decimal(value);
  if (key.endsWith('_dollars') || typeof n !== 'number') return n;
  return n / 100;
}
