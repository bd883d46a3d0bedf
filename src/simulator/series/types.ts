/** The vocabulary of series templates: what a recurring question looks like and how it is priced. */

export const CATEGORIES = [
  'Politics',
  'Economics',
  'Financials',
  'Crypto',
  'Weather',
  'Sports',
  'Culture',
  'Tech & AI',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Share of the exchange's attention per category: market appeal and the prior of users' interests. */
export const CATEGORY_WEIGHTS: Record<Category, number> = {
  Politics: 0.16,
  Economics: 0.12,
  Financials: 0.1,
  Crypto: 0.17,
  Weather: 0.08,
  Sports: 0.22,
  Culture: 0.08,
  'Tech & AI': 0.07,
};

export type Frequency = 'daily' | 'weekly' | 'monthly' | 'one-off';

/** What an event can be about: a team, a film, a candidate, a company. `code` goes into tickers. */
export interface Topic {
  code: string;
  name: string;
}

/** What title templates know about one occurrence. */
export interface Occasion {
  /** Close time on the exchange's Eastern wall clock (UTC−5), which dates Kalshi's tickers and titles. */
  closeEt: number;
  topic?: Topic;
}

/**
 * When a series' events open and close. Periodic events open `lead` before they close; one-off
 * events each cover one topic and open at a random time within `spreadDays` before the end.
 */
export type Schedule =
  | { kind: 'daily'; closeHour: number; leadHours: number; weekdaysOnly?: boolean }
  | { kind: 'weekly'; weekday: number; closeHour: number; leadDays: number }
  | { kind: 'monthly'; day: number; closeHour: number; leadDays: number }
  | { kind: 'one-off'; spreadDays: number; lifetimeDays: [number, number] };

/** "Above K" markets on a numeric underlying that moves as a (mean-reverting) random walk. */
export interface LadderContract {
  kind: 'ladder';
  /** Level of the underlying at the start, or by calendar month (0 = January) for seasonal ones. */
  level: number | ((month: number) => number);
  /** Standard deviation of the underlying per √day, as a fraction of the level when `relative`. */
  vol: number;
  relative?: boolean;
  /** Daily pull back toward `level`, 0..1. */
  reversion?: number;
  /** Each event gets its own underlying around `level` (one film's box office), not the series'. */
  perEvent?: boolean;
  /** Series naming the same underlying price off one path (daily and month-end Bitcoin). */
  underlying?: string;
  strikes: number;
  /** Strikes are multiples of this. */
  tick: number;
  label: (value: number) => string;
  event: (o: Occasion) => string;
  market: (label: string, o: Occasion) => string;
  topics?: Topic[];
}

/** Mutually exclusive outcomes of one event, exactly one of which settles yes. */
export interface OutcomesContract {
  kind: 'outcomes';
  choices: Topic[];
  /** Relative prior of each choice; uniform when omitted. */
  priors?: number[];
  /** Draw this many of the choices per event (a week's top-10 contenders). */
  perEvent?: number;
  event: (o: Occasion) => string;
  market: (choice: Topic, o: Occasion) => string;
  topics?: Topic[];
}

/** A single yes/no market per event. */
export interface BinaryContract {
  kind: 'binary';
  /** Range of the opening probability. */
  prior: [number, number];
  event: (o: Occasion) => string;
  market: (o: Occasion) => string;
  topics?: Topic[];
}

/** Games between two sides (with a draw market for football); several games per occurrence. */
export interface MatchupContract {
  kind: 'matchup';
  sides: Topic[];
  games: [number, number];
  /** Games end up to this many hours after the schedule's close hour. */
  spreadHours: number;
  draws?: boolean;
  /** "Silva vs Moreno" rather than "Kansas City at Buffalo". */
  versus?: boolean;
}

export type Contract = LadderContract | OutcomesContract | BinaryContract | MatchupContract;

export interface SeriesTemplate {
  ticker: string;
  title: string;
  category: Category;
  tags: string[];
  frequency: Frequency;
  /** Relative attention the series gets on the exchange; 1 is typical. */
  popularity: number;
  schedule: Schedule;
  contract: Contract;
}

/** Formatting helpers shared by the templates. */
export const usd = (v: number, digits = 0): string =>
  '$' + v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (v: number, digits = 2): string => `${v.toFixed(digits)}%`;
export const topics = (spec: string): Topic[] =>
  spec.split(';').map((pair) => {
    const [code, name] = pair.split('=');
    return { code: code!.trim(), name: name!.trim() };
  });
