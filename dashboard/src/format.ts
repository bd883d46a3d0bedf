/** How numbers read on the pages. */

export const percent = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`;

export const signedPercent = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

export const decimal = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '—' : x.toFixed(digits);

export const dollars = (x: number | null | undefined) =>
  x === null || x === undefined
    ? '—'
    : x.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

export const integer = (x: number) => x.toLocaleString('en-US');

/** UTC, as the service stores and reports every time. */
export const when = (iso: string | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

export const duration = (ms: number | undefined) =>
  ms === undefined
    ? '—'
    : ms < 1000
      ? `${ms} ms`
      : ms < 60_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${(ms / 60_000).toFixed(1)} min`;

/**
 * Report money as the API sends it, exactly (decimal strings are never turned into floats): the
 * integer part grouped by thousands and trailing zeros past two places dropped ("4.200000" → "4.20",
 * "0.833250" → "0.83325"), which changes the text, not the value.
 */
export function exactDecimal(s: string): string {
  const negative = s.startsWith('-');
  const [whole = '0', fraction] = (negative ? s.slice(1) : s).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const kept = fraction === undefined ? undefined : fraction.replace(/0+$/, '').padEnd(2, '0');
  return `${negative ? '−' : ''}${grouped}${kept === undefined ? '' : `.${kept}`}`;
}

export const exactDollars = (s: string) =>
  s.startsWith('-') ? `−$${exactDecimal(s.slice(1))}` : `$${exactDecimal(s)}`;

/** a + b for two of the API's decimal strings, in BigInt units (exact; "12.50" + "0.75" = "13.25"). */
export function addDecimals(a: string, b: string): string {
  const places = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const units = (s: string) => {
    const [whole = '0', fraction = ''] = s.split('.');
    const sign = whole.startsWith('-') ? -1n : 1n;
    return sign * BigInt(whole.replace('-', '') + fraction.padEnd(places, '0'));
  };
  const sum = units(a) + units(b);
  if (places === 0) return sum.toString();
  const digits = (sum < 0n ? -sum : sum).toString().padStart(places + 1, '0');
  return `${sum < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}
