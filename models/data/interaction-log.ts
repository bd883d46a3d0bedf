import type { InteractionLog } from '../core/types.js';

/** One interaction as a source gives it; `ts` in milliseconds since the epoch. */
export interface InteractionRow {
  user: string;
  item: string;
  ts: number;
  weight: number;
}

/**
 * Builds an {@link InteractionLog} row by row without an object per row: ids go through a
 * `Map<string, number>` vocabulary in first-seen order, columns into growable typed arrays, and
 * `build()` re-indexes users and items to ascending id order (numeric when every id is a finite
 * number, else lexicographic with `<`), as InteractionLog promises. Rows keep their insertion order.
 */
export class InteractionLogBuilder {
  private readonly users = new Map<string, number>();
  private readonly items = new Map<string, number>();
  private user: Int32Array;
  private item: Int32Array;
  private ts: Float64Array;
  private weight: Float32Array;
  private n = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.user = new Int32Array(cap);
    this.item = new Int32Array(cap);
    this.ts = new Float64Array(cap);
    this.weight = new Float32Array(cap);
  }

  get length(): number {
    return this.n;
  }

  add(user: string, item: string, ts: number, weight = 1): void {
    if (this.n === this.user.length) this.grow();
    let u = this.users.get(user);
    if (u === undefined) {
      u = this.users.size;
      this.users.set(user, u);
    }
    let i = this.items.get(item);
    if (i === undefined) {
      i = this.items.size;
      this.items.set(item, i);
    }
    const n = this.n++;
    this.user[n] = u;
    this.item[n] = i;
    this.ts[n] = ts;
    this.weight[n] = weight;
  }

  build(): InteractionLog {
    const users = sortedVocabulary(this.users);
    const items = sortedVocabulary(this.items);
    const n = this.n;
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      user[r] = users.remap[this.user[r]!]!;
      item[r] = items.remap[this.item[r]!]!;
    }
    return {
      userIds: users.ids,
      itemIds: items.ids,
      user,
      item,
      ts: this.ts.slice(0, n),
      weight: this.weight.slice(0, n),
    };
  }

  private grow(): void {
    const cap = this.user.length * 2;
    const user = new Int32Array(cap);
    user.set(this.user);
    const item = new Int32Array(cap);
    item.set(this.item);
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    const weight = new Float32Array(cap);
    weight.set(this.weight);
    this.user = user;
    this.item = item;
    this.ts = ts;
    this.weight = weight;
  }
}

/** A log from row objects (small inputs and tests; large sources use the builder directly). */
export function buildInteractionLog(rows: Iterable<InteractionRow>): InteractionLog {
  const builder = new InteractionLogBuilder();
  for (const r of rows) builder.add(r.user, r.item, r.ts, r.weight);
  return builder.build();
}

/** True when `id` is a non-blank string that `Number` reads as a finite number. */
function isNumericId(id: string): boolean {
  return id.trim() !== '' && Number.isFinite(Number(id));
}

/**
 * `vocab` maps each id to a first-seen index in 0..size−1. Ids in ascending order: numeric when every id is numeric (ties between spellings of one number,
 * such as `7` and `07`, by `<`), else lexicographic with `<`. `remap[firstSeenIndex]` is the sorted
 * index.
 */
export function sortedVocabulary(vocab: Map<string, number>): { ids: string[]; remap: Int32Array } {
  const seen = new Array<string>(vocab.size);
  for (const [id, first] of vocab) seen[first] = id;
  const lex = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const order = Array.from(seen, (_, k) => k);
  if (seen.every(isNumericId)) {
    const value = Float64Array.from(seen, Number);
    order.sort((a, b) => value[a]! - value[b]! || lex(seen[a]!, seen[b]!));
  } else {
    order.sort((a, b) => lex(seen[a]!, seen[b]!));
  }
  const remap = new Int32Array(seen.length);
  const ids = new Array<string>(seen.length);
  order.forEach((first, sorted) => {
    remap[first] = sorted;
    ids[sorted] = seen[first]!;
  });
  return { ids, remap };
}

/** The rows of `log` at `rows` (in that order), over the same vocabulary. */
export function selectRows(log: InteractionLog, rows: ArrayLike<number>): InteractionLog {
  const n = rows.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const ts = new Float64Array(n);
  const weight = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    user[k] = log.user[r]!;
    item[k] = log.item[r]!;
    ts[k] = log.ts[r]!;
    weight[k] = log.weight[r]!;
  }
  return { userIds: log.userIds, itemIds: log.itemIds, user, item, ts, weight };
}
