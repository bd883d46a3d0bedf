import { StoreUnavailableError } from '../../src/store/unavailable.js';
import type { CollectionName } from '../../src/store/collections.js';
import type { Store } from '../../src/store/types.js';

/**
 * `inner` behind a switch: while down, every operation fails with StoreUnavailableError, as the
 * MongoDB driver's connection failures are classified, and `ping` too.
 */
export function switchableStore(inner: Store): { store: Store; down(): void; up(): void } {
  let down = false;
  const unavailable = () => new StoreUnavailableError('store down (test)');
  const failingCursor = () => ({
    toArray: () => Promise.reject(unavailable()),
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(unavailable()) }),
  });
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (!down) return (value as (...a: unknown[]) => unknown).apply(t, args);
          return prop === 'find' || prop === 'aggregate' ? failingCursor() : Promise.reject(unavailable());
        };
      },
    });
  const store = new Proxy(inner, {
    get(t, prop) {
      if (prop === 'collection') return (name: CollectionName) => wrap(t.collection(name));
      if (prop === 'ping') return () => (down ? Promise.reject(unavailable()) : t.ping());
      const value = Reflect.get(t, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
  return { store, down: () => (down = true), up: () => (down = false) };
}
