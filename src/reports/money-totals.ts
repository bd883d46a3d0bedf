import { formatHundredths, formatMicros } from '../domain/money.js';

/** Trades, contracts and notional summed exactly (BigInt: a day's notional may pass 2^53 micro-dollars). */
export class TradeTotals {
  trades = 0;
  contractsHundredths = 0n;
  notionalMicros = 0n;
  private readonly traders = new Set<string>();

  add(userId: string, contractsHundredths = 0, notionalMicros = 0): void {
    this.trades++;
    this.contractsHundredths += BigInt(contractsHundredths);
    this.notionalMicros += BigInt(notionalMicros);
    this.traders.add(userId);
  }

  view(): MoneyTotals {
    return {
      trades: this.trades,
      traders: this.traders.size,
      contracts: formatHundredths(this.contractsHundredths),
      notional: formatMicros(this.notionalMicros),
    };
  }
}

/** Totals as reports store them: money as exact decimal strings (contracts "12.50", dollars "4.166250"). */
export interface MoneyTotals {
  trades: number;
  /** Distinct users among the trades. */
  traders: number;
  contracts: string;
  notional: string;
}

/** A decimal string of a report (as formatted above) back in its integer units. */
export function units(decimal: string): bigint {
  return BigInt(decimal.replace('.', ''));
}
