import { longDate, monthName, monthYear, shortDate } from '../calendar.js';
import { pct, topics, type SeriesTemplate } from './types.js';

/** Politics, Culture and Tech & AI. People, shows, songs and films are fictional. */

const FILMS = topics(
  'IRONTIDE=Iron Tide; LASTORBIT=The Last Orbit; NIGHTBLOOM=Nightbloom; REDHARBOR=Red Harbor; ' +
    'GLASSKING=The Glass King; WILDNORTH=Wild North; ECHOES=Echoes of Tomorrow; STARFALL=Starfall',
);
const SHOWS = topics(
  'SALTLINE=Saltline; THEDEPOT=The Depot; MIDNIGHTCLUB=Midnight Club; HOLLOWCREEK=Hollow Creek; ' +
    'ROYALS=The Royals of Ash; SIGNAL=Signal Lost; BAKEOFF=Bake Off Rivals; DEADRECKON=Dead Reckoning; ' +
    'NORTHSTAR=Northstar; OFFSIDE=Offside; THEHEIST=The Heist Club; PARALLEL=Parallel Lives',
);
const SONGS = topics(
  'GOLDEN="Golden Hour" by Mara Vale; NEON="Neon Hearts" by The Sundays Club; RIVER="River" by Jonah Pike; ' +
    'SLOW="Slow Burn" by Tessa Moon; CITY="City Lights" by KAIRO; FEVER="Fever Dream" by Lila Grant; ' +
    'ORBIT="Orbit" by Nova June; HOME="Home Again" by The Hollows; WILD="Wild Ones" by Remy Cole',
);
const CANDIDATES = topics(
  'ALVAREZ=Maria Alvarez; BROOKS=Daniel Brooks; CHEN=Grace Chen; OKONKWO=Tobi Okonkwo; PATEL=Ravi Patel; ' +
    'SULLIVAN=Erin Sullivan; WARD=Marcus Ward; NGUYEN=Linh Nguyen',
);

export const POLITICS: SeriesTemplate[] = [
  {
    ticker: 'KXAPPROVAL',
    title: 'Presidential approval rating',
    category: 'Politics',
    tags: ['Approval rating', 'White House', 'Polls'],
    frequency: 'weekly',
    popularity: 1.3,
    schedule: { kind: 'weekly', weekday: 5, closeHour: 21, leadDays: 7 },
    contract: {
      kind: 'ladder',
      level: 43,
      vol: 0.35,
      reversion: 0.05,
      strikes: 5,
      tick: 0.5,
      label: (v) => pct(v, 1),
      event: (o) => `Presidential approval rating on ${shortDate(o.closeEt)}`,
      market: (l, o) => `Will the President's approval rating be above ${l} on ${shortDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXEO',
    title: 'Executive orders per week',
    category: 'Politics',
    tags: ['White House', 'Executive orders'],
    frequency: 'weekly',
    popularity: 0.7,
    schedule: { kind: 'weekly', weekday: 0, closeHour: 4, leadDays: 7 },
    contract: {
      kind: 'ladder',
      level: 5,
      vol: 1,
      reversion: 0.2,
      strikes: 5,
      tick: 1,
      label: (v) => String(v),
      event: (o) => `Executive orders signed in the week ending ${shortDate(o.closeEt)}`,
      market: (l, o) =>
        `Will the President sign more than ${l} executive orders in the week ending ${shortDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXPRESPARTY',
    title: 'Presidential election winner',
    category: 'Politics',
    tags: ['Elections', '2028 election', 'President'],
    frequency: 'one-off',
    popularity: 2.2,
    schedule: { kind: 'one-off', spreadDays: 150, lifetimeDays: [300, 400] },
    contract: {
      kind: 'outcomes',
      choices: topics('DEM=Democratic Party; REP=Republican Party'),
      topics: topics('28=2028'),
      event: (o) => `Which party will win the ${o.topic!.name} presidential election?`,
      market: (c, o) => `Will the ${c.name} win the ${o.topic!.name} presidential election?`,
    },
  },
  {
    ticker: 'KXSHUTDOWN',
    title: 'Government shutdown',
    category: 'Politics',
    tags: ['Congress', 'Budget', 'Shutdown'],
    frequency: 'monthly',
    popularity: 1,
    schedule: { kind: 'monthly', day: 28, closeHour: 4, leadDays: 30 },
    contract: {
      kind: 'binary',
      prior: [0.05, 0.35],
      event: (o) => `Government shutdown before ${longDate(o.closeEt)}`,
      market: (o) => `Will the federal government shut down before ${longDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXBILLS',
    title: 'Legislation passed',
    category: 'Politics',
    tags: ['Congress', 'Legislation'],
    frequency: 'one-off',
    popularity: 0.8,
    schedule: { kind: 'one-off', spreadDays: 60, lifetimeDays: [40, 120] },
    contract: {
      kind: 'binary',
      prior: [0.1, 0.5],
      topics: topics(
        'CRYPTOMKT=Congress pass a crypto market structure bill; STOCKBAN=Congress ban stock trading by members; ' +
          'DRUGPRICE=Congress pass drug pricing legislation; PERMIT=Congress pass permitting reform; ' +
          'CHILDTAX=Congress expand the child tax credit',
      ),
      event: (o) => `Will ${o.topic!.name} before ${longDate(o.closeEt)}?`,
      market: (o) => `Will ${o.topic!.name} before ${longDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXMAYOR',
    title: 'Mayoral elections',
    category: 'Politics',
    tags: ['Elections', 'Local politics'],
    frequency: 'one-off',
    popularity: 0.7,
    schedule: { kind: 'one-off', spreadDays: 60, lifetimeDays: [30, 90] },
    contract: {
      kind: 'outcomes',
      choices: CANDIDATES,
      perEvent: 4,
      topics: topics('SEA=Seattle; DEN=Denver; PHX=Phoenix; ATL=Atlanta'),
      event: (o) => `Who will win the ${o.topic!.name} mayoral election?`,
      market: (c, o) => `Will ${c.name} win the ${o.topic!.name} mayoral election?`,
    },
  },
];

export const CULTURE: SeriesTemplate[] = [
  {
    ticker: 'KXNETFLIX',
    title: 'Top show on Netflix',
    category: 'Culture',
    tags: ['Netflix', 'TV', 'Streaming'],
    frequency: 'weekly',
    popularity: 1,
    schedule: { kind: 'weekly', weekday: 2, closeHour: 17, leadDays: 7 },
    contract: {
      kind: 'outcomes',
      choices: SHOWS,
      perEvent: 6,
      event: (o) => `Top show on Netflix US in the week ending ${shortDate(o.closeEt)}`,
      market: (c) => `Will "${c.name}" be the #1 show on Netflix US this week?`,
    },
  },
  {
    ticker: 'KXSPOTIFY',
    title: 'Top song on Spotify',
    category: 'Culture',
    tags: ['Spotify', 'Music', 'Charts'],
    frequency: 'weekly',
    popularity: 1,
    schedule: { kind: 'weekly', weekday: 5, closeHour: 17, leadDays: 7 },
    contract: {
      kind: 'outcomes',
      choices: SONGS,
      perEvent: 6,
      event: (o) => `#1 song on Spotify US on ${shortDate(o.closeEt)}`,
      market: (c, o) => `Will ${c.name} be #1 on Spotify US on ${shortDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXBOXOFFICE',
    title: 'Opening weekend box office',
    category: 'Culture',
    tags: ['Movies', 'Box office'],
    frequency: 'weekly',
    popularity: 0.9,
    schedule: { kind: 'weekly', weekday: 1, closeHour: 16, leadDays: 7 },
    contract: {
      kind: 'ladder',
      level: 45,
      vol: 0.05,
      relative: true,
      perEvent: true,
      strikes: 6,
      tick: 5,
      label: (v) => `$${v}M`,
      topics: FILMS,
      event: (o) => `${o.topic!.name} opening weekend box office`,
      market: (l, o) => `Will ${o.topic!.name} gross more than ${l} on its opening weekend?`,
    },
  },
  {
    ticker: 'KXRTSCORE',
    title: 'Rotten Tomatoes score',
    category: 'Culture',
    tags: ['Movies', 'Rotten Tomatoes', 'Reviews'],
    frequency: 'weekly',
    popularity: 0.6,
    schedule: { kind: 'weekly', weekday: 4, closeHour: 16, leadDays: 7 },
    contract: {
      kind: 'ladder',
      level: 75,
      vol: 2.5,
      perEvent: true,
      strikes: 5,
      tick: 5,
      label: (v) => `${v}%`,
      topics: FILMS,
      event: (o) => `Rotten Tomatoes score for ${o.topic!.name}`,
      market: (l, o) => `Will ${o.topic!.name} score above ${l} on Rotten Tomatoes?`,
    },
  },
  {
    ticker: 'KXAWARDS',
    title: 'Awards season',
    category: 'Culture',
    tags: ['Awards', 'Music', 'Grammys'],
    frequency: 'one-off',
    popularity: 0.8,
    schedule: { kind: 'one-off', spreadDays: 90, lifetimeDays: [60, 150] },
    contract: {
      kind: 'outcomes',
      choices: SONGS,
      perEvent: 6,
      topics: topics('SOTY=Song of the Year; ROTY=Record of the Year'),
      event: (o) => `${o.topic!.name} at the Grammys`,
      market: (c, o) => `Will ${c.name} win ${o.topic!.name}?`,
    },
  },
];

const LABS = topics(
  'OPENAI=OpenAI; GOOGLE=Google; ANTHROPIC=Anthropic; XAI=xAI; META=Meta; DEEPSEEK=DeepSeek',
);

export const TECH: SeriesTemplate[] = [
  {
    ticker: 'KXTOPAI',
    title: 'Top AI model',
    category: 'Tech & AI',
    tags: ['AI', 'LLMs', 'LMArena'],
    frequency: 'monthly',
    popularity: 1.4,
    schedule: { kind: 'monthly', day: 28, closeHour: 20, leadDays: 30 },
    contract: {
      kind: 'outcomes',
      choices: LABS,
      priors: [0.3, 0.35, 0.2, 0.1, 0.03, 0.02],
      event: (o) => `Top AI model on LMArena at the end of ${monthYear(o.closeEt)}`,
      market: (c, o) =>
        `Will ${c.name} have the top AI model on LMArena at the end of ${monthName(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXAPPSTORE',
    title: 'Top free app',
    category: 'Tech & AI',
    tags: ['Apps', 'App Store', 'Apple'],
    frequency: 'weekly',
    popularity: 0.8,
    schedule: { kind: 'weekly', weekday: 5, closeHour: 20, leadDays: 7 },
    contract: {
      kind: 'outcomes',
      choices: topics(
        'CHATGPT=ChatGPT; GEMINI=Gemini; THREADS=Threads; TEMU=Temu; TIKTOK=TikTok; CAPCUT=CapCut; CLAUDE=Claude; GROK=Grok',
      ),
      perEvent: 6,
      event: (o) => `#1 free app on the US App Store on ${shortDate(o.closeEt)}`,
      market: (c, o) => `Will ${c.name} be the #1 free iPhone app on ${shortDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXNVDACAP',
    title: 'Nvidia market cap',
    category: 'Tech & AI',
    tags: ['Nvidia', 'Semiconductors', 'Tech stocks'],
    frequency: 'weekly',
    popularity: 0.9,
    schedule: { kind: 'weekly', weekday: 5, closeHour: 21, leadDays: 7 },
    contract: {
      kind: 'ladder',
      level: 4.6,
      vol: 0.025,
      relative: true,
      strikes: 5,
      tick: 0.1,
      label: (v) => `$${v.toFixed(1)}T`,
      event: (o) => `Nvidia market cap on ${shortDate(o.closeEt)}`,
      market: (l, o) => `Will Nvidia's market cap be above ${l} on ${shortDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXSTARSHIP',
    title: 'Starship launches',
    category: 'Tech & AI',
    tags: ['SpaceX', 'Space', 'Starship'],
    frequency: 'monthly',
    popularity: 0.7,
    schedule: { kind: 'monthly', day: 28, closeHour: 4, leadDays: 30 },
    contract: {
      kind: 'binary',
      prior: [0.3, 0.8],
      event: (o) => `Starship launch before ${longDate(o.closeEt)}`,
      market: (o) => `Will SpaceX launch Starship before ${longDate(o.closeEt)}?`,
    },
  },
  {
    ticker: 'KXAIRELEASE',
    title: 'AI model releases',
    category: 'Tech & AI',
    tags: ['AI', 'LLMs', 'Model releases'],
    frequency: 'one-off',
    popularity: 1,
    schedule: { kind: 'one-off', spreadDays: 60, lifetimeDays: [30, 120] },
    contract: {
      kind: 'binary',
      prior: [0.2, 0.7],
      topics: topics(
        'GPT6=OpenAI release GPT-6; GEMINI4=Google release Gemini 4; GROK5=xAI release Grok 5; ' +
          'LLAMA5=Meta release Llama 5; SIRILLM=Apple ship an LLM-powered Siri',
      ),
      event: (o) => `Will ${o.topic!.name} before ${longDate(o.closeEt)}?`,
      market: (o) => `Will ${o.topic!.name} before ${longDate(o.closeEt)}?`,
    },
  },
];
