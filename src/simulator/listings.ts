import { dayCode, longDate, monthCode, shortDate } from './calendar.js';
import { horizonSd, niceNumber } from './prices.js';
import type { Rng } from '../util/rng.js';
import { EASTERN_OFFSET_MS, type Occurrence } from './schedule.js';
import type {
  LadderContract,
  MatchupContract,
  Occasion,
  OutcomesContract,
  SeriesTemplate,
  Topic,
} from './series/index.js';

/**
 * Turns one occurrence of a series into listed events and their markets: tickers, titles and what
 * each market's price follows. Prices themselves are computed by the catalogue.
 */

export interface MarketListing {
  ticker: string;
  title: string;
  subtitle: string;
  /** Ladders: the strike; resolving markets: the opening probability. */
  strike?: number;
  prior?: number;
}

export type Pricing =
  | { kind: 'ladder'; contract: LadderContract; perEventLevel?: number }
  | { kind: 'resolving'; exclusive: boolean; vol: number };

export interface EventListing {
  ticker: string;
  title: string;
  subtitle: string;
  mutuallyExclusive: boolean;
  openMs: number;
  closeMs: number;
  pricing: Pricing;
  markets: MarketListing[];
}

/** Underlying level of a ladder series at a time (the catalogue's shared paths). */
export type LevelAt = (template: SeriesTemplate, ms: number) => number;

const decimalsOf = (tick: number) => (String(tick).split('.')[1] ?? '').length;

export function listEvents(t: SeriesTemplate, o: Occurrence, rng: Rng, levelAt: LevelAt): EventListing[] {
  const occasion: Occasion = { closeEt: o.closeMs + EASTERN_OFFSET_MS, topic: o.topic };
  const date = t.frequency === 'monthly' ? monthCode(occasion.closeEt) : dayCode(occasion.closeEt);
  const topicCode = o.topic?.code ?? '';
  const eventTicker =
    t.frequency === 'one-off' ? `${t.ticker}-${topicCode}` : `${t.ticker}-${date}${topicCode}`;
  // Yes/no questions ask whether something happens before the close; the rest resolve on a date.
  const before = t.frequency === 'one-off' || t.contract.kind === 'binary';
  const subtitle = `${before ? 'Before' : 'On'} ${longDate(occasion.closeEt)}`;
  const base = { ticker: eventTicker, subtitle, openMs: o.openMs, closeMs: o.closeMs };
  const c = t.contract;
  switch (c.kind) {
    case 'ladder':
      return [ladder(t, c, base, occasion, rng, levelAt)];
    case 'outcomes':
      return [outcomes(c, base, occasion, rng)];
    case 'binary': {
      const title = c.market(occasion);
      return [
        {
          ...base,
          title: c.event(occasion),
          mutuallyExclusive: false,
          pricing: { kind: 'resolving', exclusive: false, vol: 0.25 },
          markets: [{ ticker: eventTicker, title, subtitle, prior: rng.range(...c.prior) }],
        },
      ];
    }
    case 'matchup':
      return matchups(t, c, o, date, rng);
  }
}

type Base = Pick<EventListing, 'ticker' | 'subtitle' | 'openMs' | 'closeMs'>;

/** Strikes centred on the underlying at listing, spaced by about half its move over the event's life. */
function ladder(
  t: SeriesTemplate,
  c: LadderContract,
  base: Base,
  o: Occasion,
  rng: Rng,
  levelAt: LevelAt,
): EventListing {
  let perEventLevel: number | undefined;
  if (c.perEvent) {
    const level = typeof c.level === 'number' ? c.level : c.level(0);
    const drawn = c.relative ? level * Math.exp(0.5 * rng.normal()) : level + 10 * c.vol * rng.normal();
    perEventLevel = Math.max(c.tick * c.strikes, drawn);
  }
  const center = perEventLevel ?? levelAt(t, base.openMs);
  const lifeHours = (base.closeMs - base.openMs) / 3_600_000;
  const stepTicks = niceNumber((0.5 * horizonSd(c, center, lifeHours)) / c.tick);
  const centerTicks = Math.round(center / c.tick);
  const decimals = decimalsOf(c.tick);
  const markets: MarketListing[] = [];
  for (let i = 0; i < c.strikes; i++) {
    const ticks = centerTicks + (i - Math.floor(c.strikes / 2)) * stepTicks;
    if (ticks <= 0) continue;
    const strike = Number((ticks * c.tick).toFixed(decimals));
    const label = c.label(strike);
    markets.push({
      ticker: `${base.ticker}-T${strike}`,
      title: c.market(label, o),
      subtitle: `Above ${label}`,
      strike,
    });
  }
  return {
    ...base,
    title: c.event(o),
    mutuallyExclusive: false,
    pricing: { kind: 'ladder', contract: c, perEventLevel },
    markets,
  };
}

/** A few favourites and a tail: priors are Dirichlet draws around the template's priors. */
function outcomes(c: OutcomesContract, base: Base, o: Occasion, rng: Rng): EventListing {
  const indices = shuffled(rng, c.choices.length).slice(0, c.perEvent ?? c.choices.length);
  const alpha = indices.map((i) => (c.priors ? 8 * c.priors[i]! : 2) + 0.05);
  const priors = rng.dirichlet(alpha).map((p) => Math.max(0.02, p));
  const total = priors.reduce((s, p) => s + p, 0);
  const markets = indices.map((i, k) => {
    const choice = c.choices[i]!;
    return {
      ticker: `${base.ticker}-${choice.code}`,
      title: c.market(choice, o),
      subtitle: choice.name[0]!.toUpperCase() + choice.name.slice(1),
      prior: priors[k]! / total,
    };
  });
  return {
    ...base,
    title: c.event(o),
    mutuallyExclusive: true,
    pricing: { kind: 'resolving', exclusive: true, vol: 0.3 },
    markets,
  };
}

/** The occurrence's slate of games: sides paired at random, start times spread over the evening. */
function matchups(
  t: SeriesTemplate,
  c: MatchupContract,
  o: Occurrence,
  date: string,
  rng: Rng,
): EventListing[] {
  const order = shuffled(rng, c.sides.length);
  const games = Math.min(Math.floor(c.sides.length / 2), c.games[0] + rng.int(c.games[1] - c.games[0] + 1));
  const events: EventListing[] = [];
  for (let g = 0; g < games; g++) {
    const away = c.sides[order[2 * g]!]!;
    const home = c.sides[order[2 * g + 1]!]!;
    const closeMs = o.closeMs + rng.int(c.spreadHours + 1) * 3_600_000;
    const occasion: Occasion = { closeEt: closeMs + EASTERN_OFFSET_MS };
    const ticker = `${t.ticker}-${date}${away.code}${home.code}`;
    const day = shortDate(occasion.closeEt);
    const draw = c.draws ? rng.range(0.2, 0.3) : 0;
    const homeWin = rng.range(0.3, 0.72) * (1 - draw);
    const side = (winner: Topic, loser: Topic, prior: number): MarketListing => ({
      ticker: `${ticker}-${winner.code}`,
      title: `Will ${winner.name} beat ${loser.name} on ${day}?`,
      subtitle: winner.name,
      prior,
    });
    const markets = [side(away, home, 1 - draw - homeWin), side(home, away, homeWin)];
    if (c.draws) {
      markets.push({
        ticker: `${ticker}-TIE`,
        title: `Will ${home.name} vs ${away.name} end in a draw on ${day}?`,
        subtitle: 'Draw',
        prior: draw,
      });
    }
    events.push({
      ticker,
      title: c.versus ? `${away.name} vs ${home.name}` : `${away.name} at ${home.name}`,
      subtitle: `On ${longDate(occasion.closeEt)}`,
      mutuallyExclusive: true,
      openMs: o.openMs,
      closeMs,
      pricing: { kind: 'resolving', exclusive: true, vol: 0.6 },
      markets,
    });
  }
  return events;
}

function shuffled(rng: Rng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
