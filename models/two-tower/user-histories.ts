import type { InteractionLog } from '../core/types.js';

/**
 * Each user's rows in time order (CSR over a log sorted by ts), so an example's history, the rows
 * of the same user strictly before it, is a subarray: no copying, no leakage from the future.
 */
export class UserHistories {
  private readonly offsets: Int32Array;
  private readonly rows: Int32Array;
  /** Position of each row inside its user's list. */
  private readonly position: Int32Array;

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
  }

  /** Up to `limit` rows of row r's user that precede it. */
  before(r: number, limit: number): Int32Array {
    const at = this.position[r]!;
    const start = Math.max(this.offsets[this.log.user[r]!]!, at - limit);
    return this.rows.subarray(start, at);
  }

  /** The user's last `limit` rows. */
  latest(user: number, limit: number): Int32Array {
    const end = this.offsets[user + 1]!;
    return this.rows.subarray(Math.max(this.offsets[user]!, end - limit), end);
  }
}
