/**
 * `count` one-market events M-0… for PUT /v1/markets, alternating Sports (even) and Crypto (odd),
 * open from `openTime` until 2026-12-20.
 */
export function cryptoAndSportsMarkets(
  count: number,
  options: { volume24h: (i: number) => number; openTime: string },
) {
  return Array.from({ length: count }, (_, i) => ({
    ticker: `M-${i}`,
    eventTicker: `E-${i}`,
    title: `Market ${i}`,
    category: i % 2 ? 'Crypto' : 'Sports',
    status: 'open',
    openTime: options.openTime,
    closeTime: '2026-12-20T00:00:00Z',
    volume24h: options.volume24h(i),
  }));
}
