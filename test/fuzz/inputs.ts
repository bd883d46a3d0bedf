import fc from 'fast-check';
import { DAY_MS, HOUR_MS, TEST_END, TEST_NOW } from '../helpers/fixed-clock.js';

/**
 * What the API fuzz suite throws at the routes: values of every JSON type, strings from the corners
 * of Unicode, prototype and operator keys, deep nesting, implausible dates and numbers.
 */

const LONE_SURROGATES = ['\uD800', '\uDFFF', 'a\uDC00b', '\uD83D'];
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u202Eevil',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  '𝕊𝕚𝕓𝕪𝕝',
  'ﷺ',
  '\uFEFF',
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$set',
  'a.b',
  '.',
  '..',
  '../../etc/passwd',
  '%ED%A0%80',
  '%',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  'null',
  'true',
  '<script>alert(1)</script>',
  "'; DROP TABLE markets; --",
  '{"$gt":""}',
  'x'.repeat(300),
  'y'.repeat(5_000),
  ...LONE_SURROGATES,
];

const iso = (ms: number) => new Date(ms).toISOString();
export const NASTY_DATES = [
  '9999-12-31T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-02-30T00:00:00Z',
  '2026-11-22',
  '2026-11-22T12:00:00',
  '2026-11-22T12:00:00+25:00',
  '2026-11-22T25:61:61Z',
  'yesterday',
  '1764000000000',
  iso(TEST_NOW.getTime() + 3 * 365 * DAY_MS),
  iso(TEST_NOW.getTime() - 400 * DAY_MS),
  iso(TEST_NOW.getTime() + HOUR_MS),
  iso(TEST_END.getTime() - DAY_MS),
];

export const NASTY_NUMBERS = [-1, -0, 0, 0.5, 1, 1.0000001, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MIN_VALUE];

/** Any JSON value, nested a few levels, with nasty strings among the leaves and keys. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(null, true, false, ...NASTY_NUMBERS, ...NASTY_DATES),
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom(...NASTY_STRINGS.slice(0, 30)), fc.string({ maxLength: 8 })),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

/** A valid item mutated one way: a field set to a nasty value, dropped, or an unknown or prototype key added. */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  const objectFields = fields.filter((f) => typeof valid[f] === 'object' && !Array.isArray(valid[f]));
  // A nasty key inside an object field (attributes…), its value otherwise plausible.
  const nestedKey = objectFields.length
    ? [
        fc
          .record({
            field: fc.constantFrom(...objectFields),
            key: fc.constantFrom(...NASTY_STRINGS.slice(0, 30)),
            value: fc.constantFrom<unknown>('x', 1, true),
          })
          .map(({ field, key, value }) => {
            const inner = JSON.stringify(valid[field]).replace(
              /^\{/,
              `{${JSON.stringify(key)}:${JSON.stringify(value)},`,
            );
            return { ...valid, [field]: JSON.parse(inner) as unknown };
          }),
      ]
    : [];
  return fc.oneof(
    ...nestedKey,
    fc
      .record({ field: fc.constantFrom(...fields), value: jsonValue })
      .map(({ field, value }) => ({ ...valid, [field]: value })),
    fc.constantFrom(...fields).map((field) => {
      const copy = { ...valid };
      delete copy[field];
      return copy;
    }),
    fc
      .record({ key: fc.constantFrom(...NASTY_STRINGS.slice(0, 30)), value: jsonValue })
      .map(({ key, value }) =>
        JSON.parse(
          JSON.stringify(valid).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'},`),
        ),
      ),
    jsonValue,
  );
}

/** JSON text nested `depth` arrays deep. */
export const deeplyNested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
