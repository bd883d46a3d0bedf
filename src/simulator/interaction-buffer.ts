import { INTERACTION_TYPES, type InteractionType } from '../domain/schemas.js';
import { DAY_MS } from './calendar.js';

/**
 * One day of generated interactions as typed columns (~30 bytes each instead of two objects of a
 * few hundred), so a 400k-interaction day costs megabytes, not hundreds of them, and sorting by
 * time is a native numeric sort. Records and CSV rows are made from it on demand.
 */

export const TYPE_CODE = Object.fromEntries(INTERACTION_TYPES.map((t, i) => [t, i])) as Record<
  InteractionType,
  number
>;
const NONE = -1;
/** Interactions of one day are numbered below this in the packed sort key. */
const MAX_PER_DAY = 2 ** 24;

export class InteractionBuffer {
  length = 0;
  ts: Float64Array;
  user: Int32Array;
  market: Int32Array;
  type: Uint8Array;
  /** 0 none, 1 yes, 2 no. */
  side: Uint8Array;
  contracts: Int32Array;
  priceCents: Uint8Array;
  /** Session number within the user's day (names the feed), or -1 when not from a feed. */
  session: Int16Array;
  position: Int16Array;

  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.user = new Int32Array(capacity);
    this.market = new Int32Array(capacity);
    this.type = new Uint8Array(capacity);
    this.side = new Uint8Array(capacity);
    this.contracts = new Int32Array(capacity);
    this.priceCents = new Uint8Array(capacity);
    this.session = new Int16Array(capacity);
    this.position = new Int16Array(capacity);
  }

  /** Appends an interaction with no trade or feed fields; returns its index. */
  push(ts: number, user: number, market: number, type: InteractionType): number {
    if (this.length === this.ts.length) this.grow();
    const i = this.length++;
    this.ts[i] = ts;
    this.user[i] = user;
    this.market[i] = market;
    this.type[i] = TYPE_CODE[type];
    this.side[i] = 0;
    this.session[i] = NONE;
    this.position[i] = NONE;
    return i;
  }

  setTrade(i: number, side: 'yes' | 'no', contracts: number, priceCents: number): void {
    this.side[i] = side === 'yes' ? 1 : 2;
    this.contracts[i] = contracts;
    this.priceCents[i] = priceCents;
  }

  setFeed(i: number, session: number, position: number): void {
    this.session[i] = session;
    this.position[i] = position;
  }

  /**
   * Indices in time order, ties in insertion order. Packs (time of day, index) into one float so
   * the sort is a plain numeric one: ms of day < 2^27 and index < 2^24 fit in 2^53 exactly.
   */
  timeOrder(dayStartMs: number): Uint32Array {
    if (this.length > MAX_PER_DAY) throw new RangeError(`more than ${MAX_PER_DAY} interactions in one day`);
    const keys = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const offset = this.ts[i]! - dayStartMs;
      if (offset < 0 || offset >= DAY_MS) throw new RangeError('interaction outside its day');
      keys[i] = offset * MAX_PER_DAY + i;
    }
    keys.sort();
    return Uint32Array.from(keys, (k) => k % MAX_PER_DAY);
  }

  private grow(): void {
    const n = this.ts.length * 2;
    this.ts = copy(new Float64Array(n), this.ts);
    this.user = copy(new Int32Array(n), this.user);
    this.market = copy(new Int32Array(n), this.market);
    this.type = copy(new Uint8Array(n), this.type);
    this.side = copy(new Uint8Array(n), this.side);
    this.contracts = copy(new Int32Array(n), this.contracts);
    this.priceCents = copy(new Uint8Array(n), this.priceCents);
    this.session = copy(new Int16Array(n), this.session);
    this.position = copy(new Int16Array(n), this.position);
  }
}

function copy<T extends Float64Array | Int32Array | Int16Array | Uint8Array>(to: T, from: T): T {
  to.set(from);
  return to;
}
