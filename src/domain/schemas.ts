import { z } from 'zod';
import {
  CONTRACT_DECIMALS,
  MAX_CONTRACTS,
  PRICE_DECIMALS,
  notionalMicros,
  parseFixed,
  priceMicros,
} from './money.js';

/**
 * Input schemas for the catalogue and interactions: what the API and the importer accept.
 * Stored documents are these shapes with dates parsed and bookkeeping fields added (see ./documents.ts).
 */

/**
 * Text that survives storage: BSON stores UTF-8, where a lone UTF-16 surrogate becomes U+FFFD, so
 * two distinct ids would collide on disk. Such strings are rejected, naming the field.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const text = () =>
  z
    .string()
    .refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed Unicode (no lone UTF-16 surrogates)');

const ticker = text()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, ".", "_", ":" and "-" only');
const id = text().min(1).max(256);
/** ISO-8601 with a zone offset (e.g. 2026-11-22T10:00:00Z), parsed to a Date. */
const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const price = z.number().min(0).max(1);
const count = z.number().min(0).finite();
const title = text().min(1).max(512);
const category = text().min(1).max(64);
const tags = z.array(text().min(1).max(64)).max(32);

export const MARKET_STATUSES = ['unopened', 'open', 'paused', 'closed', 'settled'] as const;
export type MarketStatus = (typeof MARKET_STATUSES)[number];

export const INTERACTION_TYPES = [
  'impression',
  'view',
  'click',
  'watch',
  'unwatch',
  'trade',
  'dismiss',
] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

export const seriesInput = z.strictObject({
  ticker,
  title,
  category,
  tags: tags.optional(),
  frequency: text().min(1).max(64).optional(),
});

export const eventInput = z.strictObject({
  eventTicker: ticker,
  seriesTicker: ticker,
  title,
  subtitle: text().max(512).optional(),
  category: category.optional(),
  mutuallyExclusive: z.boolean().optional(),
});

const marketFields = {
  ticker,
  eventTicker: ticker,
  seriesTicker: ticker.optional(),
  title,
  subtitle: text().max(512).optional(),
  /** Filled from the event (or its series) when omitted. */
  category: category.optional(),
  tags: tags.optional(),
  status: z.enum(MARKET_STATUSES),
  openTime: isoDate.optional(),
  closeTime: isoDate,
  expirationTime: isoDate.optional(),
  /** Prices in dollars, 0..1. */
  yesBid: price.optional(),
  yesAsk: price.optional(),
  lastPrice: price.optional(),
  volume: count.optional(),
  volume24h: count.optional(),
  openInterest: count.optional(),
  liquidity: count.optional(),
};

/** A market closing before it opens is a typo in one of the two, never a market. */
export function closesAfterOpening(times: {
  openTime?: Date | undefined;
  closeTime?: Date | undefined;
}): string | undefined {
  const { openTime, closeTime } = times;
  return openTime && closeTime && closeTime < openTime ? 'must not be before openTime' : undefined;
}

export const marketInput = z.strictObject(marketFields).check((ctx) => {
  const message = closesAfterOpening(ctx.value);
  if (message) ctx.issues.push({ code: 'custom', input: ctx.value, path: ['closeTime'], message });
});

/**
 * A change to a market already stored: its ticker and any other fields, each validated as in a
 * whole market; what is omitted keeps its stored value (times are checked against the stored ones).
 */
export const marketPatch = z.strictObject({
  ...z.strictObject(marketFields).partial().shape,
  ticker,
});

/** Most targeting attributes one user carries. */
export const MAX_USER_ATTRIBUTES = 64;

/**
 * Attributes are stored as `attributes.<key>` fields: a "." would address a nested path, a leading
 * "$" an operator, and prototype names would reach an object's prototype on the way in or out.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const attributeKey = text()
  .min(1)
  .max(64)
  .refine((k) => !k.includes('.'), 'must not contain "."')
  .refine((k) => !k.startsWith('$'), 'must not start with "$"')
  .refine((k) => !RESERVED_KEYS.has(k), 'is reserved (__proto__, constructor, prototype)');

/** zod's record drops an own `__proto__` key (JSON.parse makes one) without a word: it is refused first. */
type AttributeValue = string | number | boolean;
// z.custom keeps the input type a record (z.unknown would make it unknown for callers building users).
const withoutProtoKey = z.custom<Record<string, AttributeValue>>().check((ctx) => {
  if (typeof ctx.value === 'object' && ctx.value !== null && Object.hasOwn(ctx.value, '__proto__')) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      path: ['__proto__'],
      message: 'is reserved (__proto__, constructor, prototype)',
    });
  }
});

export const userInput = z.strictObject({
  userId: id,
  /** Targeting attributes for experiments (country, platform, tier…). */
  attributes: withoutProtoKey
    .pipe(
      z
        .record(attributeKey, z.union([text().max(256), z.number(), z.boolean()]))
        .refine(
          (a) => Object.keys(a).length <= MAX_USER_ATTRIBUTES,
          `at most ${MAX_USER_ATTRIBUTES} attributes`,
        ),
    )
    .optional(),
});

/** A decimal (string or number) of at most `places` places, checked exactly (./money.ts). */
const fixed = (places: number, check: (units: number) => string | undefined) =>
  z.union([z.string().max(32), z.number()]).superRefine((value, ctx) => {
    const units = parseFixed(value, places);
    const problem = typeof units === 'string' ? units : check(units);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
/** A trade's price in dollars, Kalshi-style: "0.4200" (or 0.42), 0..1. */
const tradePrice = fixed(PRICE_DECIMALS, (units) =>
  units > 10 ** PRICE_DECIMALS ? 'must be between 0 and 1 dollars' : undefined,
);
/** A trade's contracts, Kalshi `_fp`-style: "10.00" (or 10), more than 0. */
const tradeContracts = fixed(CONTRACT_DECIMALS, (units) =>
  units === 0 ? 'must be more than 0' : units > MAX_CONTRACTS * 100 ? `at most ${MAX_CONTRACTS}` : undefined,
);

/** Columns of an interaction, as the CSV importer and the OpenAPI document read them. */
export const interactionFields = z.strictObject({
  eventId: id,
  userId: id,
  ticker,
  type: z.enum(INTERACTION_TYPES),
  ts: isoDate,
  side: z.enum(['yes', 'no']).optional(),
  contracts: tradeContracts.optional(),
  price: tradePrice.optional(),
  feedId: text().min(1).max(128).optional(),
  position: z.number().int().min(0).optional(),
});

/** A trade's money, exact in its integer fields (./money.ts). */
export interface TradeMoney {
  contracts: number;
  /** Dollars. */
  price: number;
  contractsHundredths: number;
  priceMicros: number;
  /** contracts × price, in micro-dollars. */
  notionalMicros: number;
}
type InteractionOutput = Omit<z.output<typeof interactionFields>, 'contracts' | 'price'> &
  Partial<TradeMoney>;

/**
 * An interaction. A trade must say its side, contracts and price; it is stored with exact integer
 * money (`priceMicros`, `contractsHundredths`, `notionalMicros`), and `price` and `contracts` as
 * plain numbers for reading.
 */
export const interactionInput = interactionFields
  .check((ctx) => {
    const v = ctx.value;
    if (v.type === 'trade') {
      for (const field of ['side', 'contracts', 'price'] as const) {
        if (v[field] === undefined)
          ctx.issues.push({ code: 'custom', input: v, path: [field], message: 'required on trades' });
      }
    } else if (v.side !== undefined || v.contracts !== undefined || v.price !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: ['type'],
        message: 'side, contracts and price are only allowed on trades',
      });
    }
    if (v.position !== undefined && v.feedId === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: ['feedId'],
        message: 'required when position is given',
      });
    }
  })
  .transform(({ contracts, price, ...rest }): InteractionOutput => {
    if (contracts === undefined || price === undefined) return rest;
    const hundredths = parseFixed(contracts, CONTRACT_DECIMALS) as number;
    const micros = priceMicros(parseFixed(price, PRICE_DECIMALS) as number);
    return {
      ...rest,
      contracts: hundredths / 100,
      price: micros / 1e6,
      contractsHundredths: hundredths,
      priceMicros: micros,
      notionalMicros: notionalMicros(hundredths, micros),
    };
  });

export type SeriesInput = z.infer<typeof seriesInput>;
export type EventInput = z.infer<typeof eventInput>;
export type MarketInput = z.infer<typeof marketInput>;
export type MarketPatch = z.infer<typeof marketPatch>;
export type UserInput = z.infer<typeof userInput>;
export type InteractionInput = z.infer<typeof interactionInput>;
