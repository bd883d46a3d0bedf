/**
 * Exact money for trades. Prices arrive as Kalshi-style decimal dollar strings ("0.4200") and
 * counts as Kalshi `_fp` strings ("10.00"); both are kept as integers (micro-dollars, hundredths of
 * a contract) so that sums are exact. Numbers are accepted for older clients through their shortest
 * decimal spelling (0.33 → "0.33"); a number that needs more places (0.1 + 0.2) is refused, never
 * rounded.
 */

/** Decimal places a price may have: Kalshi quotes dollars to four (sub-penny). */
export const PRICE_DECIMALS = 4;
/** Decimal places a contract count may have (Kalshi's fixed-point counts). */
export const CONTRACT_DECIMALS = 2;
/** Most contracts in one trade: keeps a trade's notional within exact doubles (2^53 micro-dollars). */
export const MAX_CONTRACTS = 1_000_000_000;

const DECIMAL = /^(\d{1,12})(?:\.(\d+))?$/;

/** A non-negative decimal (string or number) as an integer count of 10^-places units, or why not. */
export function parseFixed(value: string | number, places: number): number | string {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  if (text === undefined) return 'must be a finite decimal';
  const match = DECIMAL.exec(text);
  if (!match) return 'must be a non-negative decimal, as "0.4200" or "10.00"';
  const fraction = match[2] ?? '';
  if (fraction.replace(/0+$/, '').length > places) return `at most ${places} decimal places`;
  return Number(match[1]) * 10 ** places + Number(fraction.padEnd(places, '0').slice(0, places) || '0');
}

/** The shortest decimal that reads back as `n`, unless it needs an exponent. */
function numberText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const s = String(n);
  return /e/i.test(s) ? undefined : s;
}

/** Price in micro-dollars from its tenth-of-a-cent… units (PRICE_DECIMALS places). */
export function priceMicros(priceUnits: number): number {
  return priceUnits * 10 ** (6 - PRICE_DECIMALS);
}

/**
 * contracts × price in micro-dollars, exactly: hundredths × micros is a whole number of
 * hundredths of a micro-dollar, and a price of at most four places makes it divisible by 100.
 */
export function notionalMicros(contractsHundredths: number, micros: number): number {
  const product = BigInt(contractsHundredths) * BigInt(micros);
  if (product % 100n !== 0n) throw new RangeError('price has more places than micro-dollars can hold');
  return Number(product / 100n);
}

/** Micro-dollars (a safe integer or a BigInt total) as a dollar string with six places: "12.345600". */
export function formatMicros(micros: bigint | number): string {
  const value = BigInt(micros);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

/** Hundredths of a contract as a decimal string with two places: "10.50". */
export function formatHundredths(hundredths: bigint | number): string {
  const value = BigInt(hundredths);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
