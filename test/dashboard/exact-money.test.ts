import { describe, expect, it } from 'vitest';
import { addDecimals, exactDecimal, exactDollars } from '../../dashboard/src/format.js';

describe('report money on the dashboard', () => {
  it('shows the API’s decimal strings without changing their value', () => {
    expect(exactDollars('4.200000')).toBe('$4.20');
    expect(exactDollars('0.833250')).toBe('$0.83325');
    expect(exactDollars('1234567.000001')).toBe('$1,234,567.000001');
    expect(exactDollars('-2.500000')).toBe('−$2.50');
    expect(exactDecimal('12.50')).toBe('12.50');
    expect(exactDecimal('1000')).toBe('1,000');
    // Past 2^53 micro-dollars, where a float would already have rounded.
    expect(exactDollars('9007199254.740993')).toBe('$9,007,199,254.740993');
  });

  it('adds them exactly', () => {
    expect(addDecimals('3.800000', '0.500000')).toBe('4.300000');
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(addDecimals('9007199254.740993', '0.000001')).toBe('9007199254.740994');
    expect(addDecimals('1.00', '-2.50')).toBe('-1.50');
    expect(addDecimals('-0.50', '0.25')).toBe('-0.25');
    expect(addDecimals('3', '4')).toBe('7');
  });
});
