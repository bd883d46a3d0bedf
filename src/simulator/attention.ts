import type { SimMarket } from './catalogue.js';

/**
 * Exchange-wide attention to a market during one hour of its life: its latent appeal, more when the
 * price is near 50-50 (at-the-money strikes, close games), in the hours before the close and just
 * after listing. It drives what the exchange's own feeds show and the market's traded volume, so
 * "popular" in the data means what it means on a real exchange.
 */
export function attention(m: SimMarket, hour: number): number {
  const age = hour - m.openHour;
  const p = m.cents[age]! / 100;
  const hoursLeft = m.closeHour - hour;
  return m.appeal * (0.3 + 4 * p * (1 - p)) * (1 + 2 * Math.exp(-hoursLeft / 12)) * (1 + Math.exp(-age / 12));
}
