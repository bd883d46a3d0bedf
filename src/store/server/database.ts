import type { Document } from 'mongodb';
import { EngineCollection, type EngineHost } from '../engine/collection.js';
import type { JournalOp } from './journal.js';

/** What one command changed: redo records for the journal, and how to take it back. */
export interface CapturedWrites<R> {
  result: R;
  ops: JournalOp[];
  undo: () => void;
}

/**
 * One database of `sibyl store`: its collections over the in-memory engine. Every change the engine
 * makes is reported here, so a command's effects can be journaled (or undone) as a unit.
 */
export class Database implements EngineHost {
  private readonly collections = new Map<string, EngineCollection>();
  /** Collections written since the last checkpoint. */
  readonly dirty = new Set<string>();
  private ops?: JournalOp[];
  private undos?: (() => void)[];

  constructor(readonly name: string) {}

  collection(name: string): EngineCollection {
    let coll = this.collections.get(name);
    if (!coll) {
      coll = new EngineCollection(name, this);
      this.collections.set(name, coll);
      this.dirty.add(name);
    }
    return coll;
  }

  existing(name: string): EngineCollection | undefined {
    return this.collections.get(name);
  }

  /** An empty collection that is not created (a read of a collection that does not exist). */
  scratch(name: string): EngineCollection {
    return new EngineCollection(name, this);
  }

  names(): string[] {
    return [...this.collections.keys()];
  }

  rawDocs(name: string): Document[] {
    return this.collections.get(name)?.valueViews() ?? [];
  }

  recordWrite(collection: string, prev: Document | undefined, next: Document | undefined): void {
    this.dirty.add(collection);
    if (!this.ops) return;
    this.ops.push(next ? { c: collection, put: next } : { c: collection, del: prev!._id });
    this.undos!.push(() => this.collection(collection).revert(prev, next));
  }

  /** Runs `fn` (synchronous engine work) and returns what it wrote. */
  capture<R>(fn: () => R, extraOps: JournalOp[] = [], undoExtra?: () => void): CapturedWrites<R> {
    this.ops = [];
    this.undos = [];
    try {
      const result = fn();
      const ops = [...this.ops, ...extraOps];
      const undos = this.undos;
      return {
        result,
        ops,
        undo: () => {
          for (const undo of [...undos].reverse()) undo();
          undoExtra?.();
        },
      };
    } catch (err) {
      // A failed command leaves nothing behind, as one document write in MongoDB.
      for (const undo of [...this.undos].reverse()) undo();
      throw err;
    } finally {
      this.ops = undefined;
      this.undos = undefined;
    }
  }

  drop(name: string): boolean {
    this.dirty.add(name);
    return this.collections.delete(name);
  }

  /** Restores a collection object dropped by `drop` (undo of a failed journal write). */
  restore(coll: EngineCollection): void {
    this.collections.set(coll.name, coll);
    this.dirty.add(coll.name);
  }
}
