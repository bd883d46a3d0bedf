/**
 * The one price a market card leads with, in dollars: the last trade, else the middle of the
 * quote, else NaN (nothing quoted yet). Pushes measure price moves with it.
 */
export function marketPrice(market: { lastPrice?: number; yesBid?: number; yesAsk?: number }): number {
  if (market.lastPrice !== undefined) return market.lastPrice;
  if (market.yesBid !== undefined && market.yesAsk !== undefined) return (market.yesBid + market.yesAsk) / 2;
  return market.yesBid ?? market.yesAsk ?? Number.NaN;
}
