/** What the server and its replica thread say to each other (structured-cloned; BSON inside). */

export type ToReplica =
  /** One committed write's ops, BSON documents laid end to end. */
  | { t: 'ops'; db: string; bytes: Uint8Array }
  /** Runs `pipeline` (BSON `{ p: [...] }`, without a final $merge/$out) over `db.coll`. */
  | { t: 'aggregate'; id: number; db: string; coll: string; pipeline: Uint8Array };

export type FromReplica =
  | { t: 'ready'; docs: number; ms: number }
  | { t: 'load-failed'; message: string }
  /** The output documents as BSON laid end to end; `ends[i]` is where document i stops. */
  | { t: 'result'; id: number; bytes: Uint8Array; ends: Uint32Array }
  | { t: 'error'; id: number; message: string; code?: number; codeName?: string };

export interface ReplicaWorkerData {
  /** A data directory to load (its current checkpoint, then the journal through `throughLsn`). */
  dir?: string;
  throughLsn: number;
}
