import { monthName, monthYear, shortDate } from '../calendar.js';
import { topics, type SeriesTemplate, type Topic } from './types.js';

/** Weather (daily highs around seasonal normals) and Sports (games between two sides). */

/** Normal daily high in °F by month, January first. */
const NORMAL_HIGHS: Record<string, { city: string; highs: number[]; popularity: number }> = {
  NY: { city: 'NYC', highs: [39, 42, 50, 62, 72, 80, 85, 84, 76, 65, 54, 44], popularity: 1.2 },
  CHI: { city: 'Chicago', highs: [32, 36, 47, 59, 70, 80, 84, 82, 75, 62, 48, 36], popularity: 0.8 },
  MIA: { city: 'Miami', highs: [76, 78, 80, 83, 87, 89, 91, 91, 89, 86, 82, 78], popularity: 0.6 },
  LAX: { city: 'Los Angeles', highs: [68, 68, 69, 71, 72, 75, 79, 80, 80, 76, 72, 67], popularity: 0.6 },
  AUS: { city: 'Austin', highs: [62, 66, 73, 80, 87, 93, 96, 97, 91, 82, 71, 63], popularity: 0.6 },
};

const dailyHighs: SeriesTemplate[] = Object.entries(NORMAL_HIGHS).map(
  ([code, { city, highs, popularity }]) => ({
    ticker: `KXHIGH${code}`,
    title: `Highest temperature in ${city}`,
    category: 'Weather',
    tags: ['Temperature', city],
    frequency: 'daily',
    popularity,
    schedule: { kind: 'daily', closeHour: 23, leadHours: 36 },
    contract: {
      kind: 'ladder',
      level: (month) => highs[month]!,
      vol: 4,
      reversion: 0.5,
      strikes: 6,
      tick: 1,
      label: (v) => `${v}°F`,
      event: (o) => `Highest temperature in ${city} on ${shortDate(o.closeEt)}`,
      market: (l, o) => `Will the high temp in ${city} be above ${l} on ${shortDate(o.closeEt)}?`,
    },
  }),
);

export const WEATHER: SeriesTemplate[] = [
  ...dailyHighs,
  {
    ticker: 'KXRAINNYC',
    title: 'Monthly rain in NYC',
    category: 'Weather',
    tags: ['Rain', 'NYC'],
    frequency: 'monthly',
    popularity: 0.5,
    schedule: { kind: 'monthly', day: 28, closeHour: 23, leadDays: 28 },
    contract: {
      kind: 'ladder',
      level: 3.5,
      vol: 0.25,
      strikes: 5,
      tick: 0.5,
      label: (v) => `${v} inches`,
      event: (o) => `Rain in NYC in ${monthYear(o.closeEt)}`,
      market: (l, o) => `Will NYC get more than ${l} of rain in ${monthName(o.closeEt)}?`,
    },
  },
];

const NFL = topics(
  'KC=Kansas City; BUF=Buffalo; PHI=Philadelphia; DAL=Dallas; SF=San Francisco; BAL=Baltimore; DET=Detroit; ' +
    'GB=Green Bay; CIN=Cincinnati; MIA=Miami; PIT=Pittsburgh; SEA=Seattle; MIN=Minnesota; DEN=Denver; ' +
    'HOU=Houston; CHI=Chicago; ATL=Atlanta; TB=Tampa Bay; NO=New Orleans; CLE=Cleveland',
);
const NBA = topics(
  'BOS=Boston; NYK=New York; MIL=Milwaukee; DEN=Denver; LAL=Los Angeles; GSW=Golden State; PHX=Phoenix; ' +
    'MIA=Miami; DAL=Dallas; OKC=Oklahoma City; MIN=Minnesota; CLE=Cleveland; SAC=Sacramento; IND=Indiana; ' +
    'ORL=Orlando; HOU=Houston',
);
const NHL = topics(
  'BOS=Boston; TOR=Toronto; FLA=Florida; NYR=New York; EDM=Edmonton; VGK=Vegas; COL=Colorado; DAL=Dallas; ' +
    'CAR=Carolina; WPG=Winnipeg; NJ=New Jersey; TB=Tampa Bay',
);
const EPL = topics(
  'ARS=Arsenal; CHE=Chelsea; LIV=Liverpool; MCI=Manchester City; MUN=Manchester United; TOT=Tottenham; ' +
    'NEW=Newcastle; AVL=Aston Villa; BHA=Brighton; WHU=West Ham; CRY=Crystal Palace; BRE=Brentford; ' +
    'FUL=Fulham; EVE=Everton; NFO=Nottingham Forest; BOU=Bournemouth',
);
/** Fictional fighters. */
const FIGHTERS: Topic[] = [
  'Silva',
  'Moreno',
  'Kovacs',
  'Okafor',
  'Hartley',
  'Nakamura',
  'Duarte',
  'Petrov',
  'Lindqvist',
  'Achebe',
  'Ramires',
  'Volkov',
].map((name) => ({ code: name.toUpperCase(), name }));

export const SPORTS: SeriesTemplate[] = [
  {
    ticker: 'KXNFLGAME',
    title: 'Pro football game winner',
    category: 'Sports',
    tags: ['Football', 'NFL'],
    frequency: 'weekly',
    popularity: 3,
    schedule: { kind: 'weekly', weekday: 0, closeHour: 20, leadDays: 6 },
    contract: { kind: 'matchup', sides: NFL, games: [7, 10], spreadHours: 7 },
  },
  {
    ticker: 'KXNBAGAME',
    title: 'Pro basketball game winner',
    category: 'Sports',
    tags: ['Basketball', 'NBA'],
    frequency: 'daily',
    popularity: 2,
    schedule: { kind: 'daily', closeHour: 2, leadHours: 36 },
    contract: { kind: 'matchup', sides: NBA, games: [3, 7], spreadHours: 3 },
  },
  {
    ticker: 'KXNHLGAME',
    title: 'Pro hockey game winner',
    category: 'Sports',
    tags: ['Hockey', 'NHL'],
    frequency: 'daily',
    popularity: 0.9,
    schedule: { kind: 'daily', closeHour: 2, leadHours: 36 },
    contract: { kind: 'matchup', sides: NHL, games: [2, 5], spreadHours: 3 },
  },
  {
    ticker: 'KXEPLGAME',
    title: 'Premier League match result',
    category: 'Sports',
    tags: ['Soccer', 'Premier League'],
    frequency: 'weekly',
    popularity: 1.3,
    schedule: { kind: 'weekly', weekday: 6, closeHour: 14, leadDays: 6 },
    contract: { kind: 'matchup', sides: EPL, games: [5, 8], spreadHours: 5, draws: true },
  },
  {
    ticker: 'KXUFCFIGHT',
    title: 'UFC fight winner',
    category: 'Sports',
    tags: ['MMA', 'UFC'],
    frequency: 'weekly',
    popularity: 0.9,
    schedule: { kind: 'weekly', weekday: 0, closeHour: 3, leadDays: 6 },
    contract: { kind: 'matchup', sides: FIGHTERS, games: [3, 5], spreadHours: 2, versus: true },
  },
  {
    ticker: 'KXSB',
    title: 'Super Bowl champion',
    category: 'Sports',
    tags: ['Football', 'NFL', 'Super Bowl'],
    frequency: 'one-off',
    popularity: 1.6,
    schedule: { kind: 'one-off', spreadDays: 120, lifetimeDays: [150, 240] },
    contract: {
      kind: 'outcomes',
      choices: NFL,
      perEvent: 10,
      topics: topics('LXI=Super Bowl LXI'),
      event: (o) => `${o.topic!.name} champion?`,
      market: (c, o) => `Will ${c.name} win ${o.topic!.name}?`,
    },
  },
];
