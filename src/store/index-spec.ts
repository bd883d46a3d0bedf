/**
 * MongoDB's key-pattern shapes, shared by the application (which declares Sibyl's indexes) and the
 * embedded store's engine (which builds them). They live here, beside both, so that application
 * code never imports the engine: only `sibyl store`'s server may (dependency-cruiser,
 * 'engine-behind-the-server').
 */

/** Index key spec in MongoDB's form, e.g. `{ userId: 1, ts: -1 }`. */
export type IndexKeys = Record<string, 1 | -1>;
export type SortSpec = Record<string, 1 | -1>;

export interface IndexDef {
  keys: IndexKeys;
  unique?: boolean;
  name?: string;
}

/** MongoDB's default index name: `field_1_other_-1`. */
export function indexName(def: IndexDef): string {
  return (
    def.name ??
    Object.entries(def.keys)
      .map(([k, v]) => `${k}_${v}`)
      .join('_')
  );
}
