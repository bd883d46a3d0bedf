/** Maps an index spreads its ids over. */
const SHARDS = 16;
/** Ids indexed per step of `IdIndex.build` (a few milliseconds each). */
const IDS_PER_STEP = 10_000;

const shardOf = (id: string): number =>
  (id.charCodeAt(id.length - 1) * 31 + id.charCodeAt(id.length - 2)) & (SHARDS - 1);

/**
 * Id → row, over several Maps. A Map that grows rehashes every entry at once: at a million
 * user ids that is one 0.1 s step, which a model loaded while the API serves would hold requests
 * up for. Spread over 16 Maps, each growth moves a sixteenth as much.
 */
export class IdIndex {
  private constructor(private readonly shards: Map<string, number>[]) {}

  static of(ids: readonly string[]): IdIndex {
    const index = new IdIndex(Array.from({ length: SHARDS }, () => new Map()));
    for (let i = 0; i < ids.length; i++) index.add(ids[i]!, i);
    return index;
  }

  /** As `of`, awaiting `pause` between steps: for building while requests are served. */
  static async build(ids: readonly string[], pause: () => Promise<void>): Promise<IdIndex> {
    const index = new IdIndex(Array.from({ length: SHARDS }, () => new Map()));
    for (let start = 0; start < ids.length; start += IDS_PER_STEP) {
      const end = Math.min(ids.length, start + IDS_PER_STEP);
      for (let i = start; i < end; i++) index.add(ids[i]!, i);
      await pause();
    }
    return index;
  }

  get(id: string): number | undefined {
    return this.shards[shardOf(id)]!.get(id);
  }

  private add(id: string, row: number): void {
    this.shards[shardOf(id)]!.set(id, row);
  }
}
