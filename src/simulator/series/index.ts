import { CRYPTO, ECONOMICS, FINANCIALS } from './finance.js';
import { CULTURE, POLITICS, TECH } from './society.js';
import type { SeriesTemplate } from './types.js';
import { SPORTS, WEATHER } from './weather-sports.js';

export * from './types.js';

/** Every series the simulated exchange lists, grouped by category. */
export const SERIES_TEMPLATES: readonly SeriesTemplate[] = [
  ...POLITICS,
  ...ECONOMICS,
  ...FINANCIALS,
  ...CRYPTO,
  ...WEATHER,
  ...SPORTS,
  ...CULTURE,
  ...TECH,
];
