import type { InteractionLog } from '../core/types.js';

/**
 * Each user's rows in time order (CSR over a log sorted by ts), so an example's history, the
 * markets of the same user's rows strictly before it, is read without copying and without
 * leakage from the future.
 *
 * A history holds each market once, at its latest row, as serving's does (user-context.ts keeps
 * one entry per market of the user's recent interactions): a view, a click and a trade of one
 * market are one market of the user tower's mean there, not three.
 */
export class UserHistories {
  private readonly offsets: Int32Array;
  private readonly rows: Int32Array;
  /** Position of each row inside its user's list. */
  private readonly position: Int32Array;
  /** Per item, the call that last took it (dedupes a history without clearing a set). */
  private readonly seenIn: Int32Array;
  private call = 0;

  constructor(
    readonly log: InteractionLog,
    numUsers: number,
  ) {
    const n = log.user.length;
    this.offsets = new Int32Array(numUsers + 1);
    for (let r = 0; r < n; r++) this.offsets[log.user[r]! + 1]!++;
    for (let u = 0; u < numUsers; u++) this.offsets[u + 1]! += this.offsets[u]!;
    const fill = this.offsets.slice(0, numUsers);
    this.rows = new Int32Array(n);
    this.position = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const u = log.user[r]!;
      const at = fill[u]!++;
      this.rows[at] = r;
      this.position[r] = at;
    }
    this.seenIn = new Int32Array(log.itemIds.length);
  }

  /**
   * Rows of up to `limit` distinct markets of row r's user before it, the latest row of each,
   * newest first, into `out` (at least `limit` long); returns how many. Looks back over at most
   * SCAN_FACTOR × `limit` rows, so a user who repeats one market for ever costs a bounded scan.
   */
  before(r: number, limit: number, out: Int32Array): number {
    const at = this.position[r]!;
    return this.distinct(
      Math.max(this.offsets[this.log.user[r]!]!, at - SCAN_FACTOR * limit),
      at,
      limit,
      out,
    );
  }

  /** The same for the user's last rows (their history as of the end of the log). */
  latest(user: number, limit: number, out: Int32Array): number {
    const end = this.offsets[user + 1]!;
    return this.distinct(Math.max(this.offsets[user]!, end - SCAN_FACTOR * limit), end, limit, out);
  }

  private distinct(from: number, to: number, limit: number, out: Int32Array): number {
    const call = ++this.call;
    let count = 0;
    for (let k = to - 1; k >= from && count < limit; k--) {
      const r = this.rows[k]!;
      const item = this.log.item[r]!;
      if (this.seenIn[item] === call) continue;
      this.seenIn[item] = call;
      out[count++] = r;
    }
    return count;
  }
}

/**
 * How far back a history looks for `limit` distinct markets, in multiples of `limit`: serving
 * reads a user's latest 500 interactions (user-context.ts) for the first 25 distinct markets.
 */
const SCAN_FACTOR = 20;
