import { DAY_MS, floorDay, floorHour } from './calendar.js';
import { ALL_DYNAMICS, buildCatalogue, type Catalogue, type Dynamics } from './catalogue.js';
import { simulateUserDay, type World } from './funnel.js';
import { InteractionBuffer } from './interaction-buffer.js';
import {
  eventRecords,
  interactionCsvRow,
  interactionRecord,
  marketRecords,
  userId,
  seriesRecords,
  userRecord,
  type EventRecord,
  type InteractionRecord,
  type MarketRecord,
  type SeriesRecord,
  type UserRecord,
} from './records.js';
import { CATEGORIES, CATEGORY_WEIGHTS } from './series/index.js';
import { buildSlates, type HourSlate } from './slates.js';
import { FAVOURITES, favouriteOffset, generatePopulation, tasteOffset, type Population } from './users.js';

export interface SimulationOptions {
  /** PRNG seed (unsigned 32-bit integer). @defaultValue 42 */
  seed?: number;
  /** Number of users, `user-1` … `user-N`. @defaultValue 1000 */
  users?: number;
  /** Length of the window in days. @defaultValue 14 */
  days?: number;
  /** End of the window, rounded down to the hour. @defaultValue the start of the current UTC day */
  end?: Date;
  /**
   * Which temporal dynamics run (news bursts, fading interest, drifting tastes), to measure what each
   * does; the CLI, the exchange and the traders always run all of them. @defaultValue all on
   */
  dynamics?: Partial<Dynamics>;
}

export const SIMULATION_DEFAULTS = { seed: 42, users: 1000, days: 14 } as const;
export const SIMULATION_LIMITS = { users: 10_000_000, days: 366 } as const;

/** The start of the current UTC day: the same seed gives the same data all day, and open markets are open now. */
export const defaultEnd = (now = new Date()): Date => new Date(floorDay(now.getTime()));

/**
 * One day of interactions, in time order and numbered on from the previous day's. Held compactly;
 * records and CSV rows are produced as they are read, so a consumer never needs the day as objects.
 */
export class SimulatedDay {
  constructor(
    /** 0-based day of the window. */
    readonly day: number,
    readonly start: Date,
    private readonly seed: number,
    private readonly catalogue: Catalogue,
    private readonly buffer: InteractionBuffer,
    private readonly order: Uint32Array,
    /** Number of the day's first interaction in the run (`sim-<seed>-<n>`). */
    readonly firstNumber: number,
  ) {}

  get count(): number {
    return this.order.length;
  }

  /** The interactions in the input shape of src/domain/schemas.ts. */
  *records(): Generator<InteractionRecord> {
    const naming = { seed: this.seed, day: this.day, cat: this.catalogue };
    for (let k = 0; k < this.order.length; k++) {
      yield interactionRecord(this.buffer, this.order[k]!, this.firstNumber + k, naming);
    }
  }

  /** The interactions as `interactions.csv` rows (no header), joined into chunks of `rows` rows. */
  *csvChunks(rows = 4096): Generator<string> {
    const naming = { seed: this.seed, day: this.day, cat: this.catalogue };
    for (let from = 0; from < this.order.length; from += rows) {
      const to = Math.min(this.order.length, from + rows);
      const lines = new Array<string>(to - from);
      for (let k = from; k < to; k++) {
        lines[k - from] = interactionCsvRow(this.buffer, this.order[k]!, this.firstNumber + k, naming);
      }
      yield lines.join('');
    }
  }
}

/** What a user is like underneath: for demos ("user-17 follows Crypto") and for checking the data. */
export interface UserProfile {
  userId: string;
  /** Categories by preference, strongest first, with their share of the user's interest (before any drift). */
  categories: { category: string; share: number }[];
  favouriteSeries: string[];
  /**
   * If the user's tastes drift: when the drift starts, when it is complete (it is gradual, over
   * days: ./users.ts) and the favourite category it ends in.
   */
  driftsAt?: Date;
  driftsUntil?: Date;
  driftsTo?: string;
  sessionsPerDay: number;
}

/**
 * A seeded synthetic exchange (see ./funnel.ts for the behaviour model). The catalogue and users are
 * built up front; interactions are generated a day at a time by `interactionDays()`, so memory
 * stays bounded by one day's worth however long the window. Same options, same output, byte for byte.
 */
export class Simulation {
  readonly seed: number;
  readonly userCount: number;
  readonly dayCount: number;
  readonly start: Date;
  readonly end: Date;
  readonly catalogue: Catalogue;
  readonly population: Population;
  private readonly slates: HourSlate[];

  constructor(options: SimulationOptions = {}) {
    const o = resolveOptions(options);
    this.seed = o.seed;
    this.userCount = o.users;
    this.dayCount = o.days;
    this.end = new Date(floorHour(o.end.getTime()));
    this.start = new Date(this.end.getTime() - o.days * DAY_MS);
    this.catalogue = buildCatalogue(o.seed, this.start.getTime(), this.end.getTime(), o.dynamics);
    this.slates = buildSlates(this.catalogue);
    this.population = generatePopulation(o.seed, o.users, this.catalogue);
  }

  series(): SeriesRecord[] {
    return seriesRecords(this.catalogue);
  }

  events(): EventRecord[] {
    return eventRecords(this.catalogue);
  }

  /** Markets as snapshotted at the end of the window (status, prices, volumes). */
  markets(): MarketRecord[] {
    return marketRecords(this.catalogue);
  }

  *users(): Generator<UserRecord> {
    for (let u = 0; u < this.userCount; u++) yield userRecord(this.population, u, this.end.getTime());
  }

  /** Each day's interactions in time order; every call replays the same days from the start. */
  *interactionDays(): Generator<SimulatedDay> {
    const world: World = {
      seed: this.seed,
      cat: this.catalogue,
      slates: this.slates,
      pop: this.population,
      carry: { watching: new Set(), unwatches: new Map(), holdings: new Map() },
    };
    let n = 0;
    let capacity = 1024;
    for (let day = 0; day < this.dayCount; day++) {
      const buffer = new InteractionBuffer(capacity);
      for (let u = 0; u < this.userCount; u++) simulateUserDay(world, u, day, buffer);
      const start = this.start.getTime() + day * DAY_MS;
      const order = buffer.timeOrder(start);
      yield new SimulatedDay(day, new Date(start), this.seed, this.catalogue, buffer, order, n);
      n += order.length;
      capacity = Math.max(1024, Math.ceil(buffer.length * 1.1));
    }
  }

  profile(user: number): UserProfile {
    const pop = this.population;
    const f = favouriteOffset(user, 0);
    const favouriteSeries: string[] = [];
    for (let k = 0; k < FAVOURITES; k++) {
      const s = pop.favouriteSeries[f + k]!;
      if (s >= 0) favouriteSeries.push(this.catalogue.series[s]!.template.ticker);
    }
    const drift = pop.driftMs[user]!;
    const drifts = Number.isFinite(drift);
    return {
      userId: userId(user),
      categories: this.categoryShares(user, 0),
      favouriteSeries,
      driftsAt: drifts ? new Date(drift) : undefined,
      driftsUntil: drifts ? new Date(pop.driftEndMs[user]!) : undefined,
      driftsTo: drifts ? this.categoryShares(user, 1)[0]!.category : undefined,
      sessionsPerDay: pop.sessionsPerDay[user]!,
    };
  }

  /** Tastes are stored relative to the exchange-wide shares; this undoes that, strongest first. */
  private categoryShares(user: number, phase: number): { category: string; share: number }[] {
    const t = tasteOffset(user, phase);
    const weights = CATEGORIES.map(
      (c, i) => CATEGORY_WEIGHTS[c] * Math.exp(this.population.categoryTaste[t + i]!),
    );
    const total = weights.reduce((s, w) => s + w, 0);
    return CATEGORIES.map((category, i) => ({ category, share: weights[i]! / total })).sort(
      (a, b) => b.share - a.share,
    );
  }
}

/** Builds the simulated exchange. Throws a RangeError naming the bad option. */
export function simulate(options: SimulationOptions = {}): Simulation {
  return new Simulation(options);
}

function resolveOptions(o: SimulationOptions): Required<Omit<SimulationOptions, 'dynamics'>> & {
  dynamics: Dynamics;
} {
  const seed = o.seed ?? SIMULATION_DEFAULTS.seed;
  const users = o.users ?? SIMULATION_DEFAULTS.users;
  const days = o.days ?? SIMULATION_DEFAULTS.days;
  const end = o.end ?? defaultEnd();
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to ${0xffffffff}, got ${seed}`);
  }
  if (!Number.isInteger(users) || users < 1 || users > SIMULATION_LIMITS.users) {
    throw new RangeError(`users must be an integer from 1 to ${SIMULATION_LIMITS.users}, got ${users}`);
  }
  if (!Number.isInteger(days) || days < 1 || days > SIMULATION_LIMITS.days) {
    throw new RangeError(`days must be an integer from 1 to ${SIMULATION_LIMITS.days}, got ${days}`);
  }
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) throw new RangeError('end must be a valid date');
  return { seed, users, days, end, dynamics: { ...ALL_DYNAMICS, ...o.dynamics } };
}
