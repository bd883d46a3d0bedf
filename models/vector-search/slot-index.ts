/**
 * Markets whose vectors are one-hot (EASE's: a market is its row of the item–item matrix), kept as
 * each one's coordinate instead of a dense row: a user's score of every market is then a gather
 * from the user vector, O(markets), where a dense index would hold markets × dim floats and scan
 * them all (10k open markets under a 2,500-market EASE model: 100 MB and 25M multiply-adds a
 * request, against 40 kB and 10k reads).
 */
export class SlotIndex {
  readonly size: number;
  private readonly out: Float32Array;

  /** `slots[i]`: market i's coordinate, or −1 when its vector is zero; `dim`: the vectors' length. */
  constructor(
    readonly slots: Int32Array,
    readonly dim: number,
  ) {
    this.size = slots.length;
    this.out = new Float32Array(slots.length);
  }

  /**
   * Dot products of `x` with every market's one-hot vector. The result is the index's scratch
   * buffer: callers may overwrite it, and must be done with it before the next call.
   */
  scores(x: Float32Array): Float32Array {
    const { slots, out } = this;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      out[i] = s < 0 ? 0 : x[s]!;
    }
    return out;
  }
}
