/**
 * A Store that fails like a killed run: the n-th write (upsert, update, delete, stage or
 * publish) throws before it reaches the database, and every later write too. Reads and the
 * ledger pass through, so a test can kill an asset at any write and look at what readers see.
 */
import type { Store } from "../../db/index.ts";

const WRITES = new Set(["upsert", "update", "delete", "stage", "publish"]);

export interface FailingStore {
  store: Store;
  /** Writes attempted so far (the failing one included). */
  writes(): number;
}

/** Wraps `inner`; `failAt` (1-based) is the first write that throws, or null for none. */
export function failingStore(inner: Store, failAt: number | null): FailingStore {
  let writes = 0;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || !WRITES.has(property) || typeof value !== "function") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        writes += 1;
        if (failAt !== null && writes >= failAt) {
          return Promise.reject(new Error(`injected fault: the process died at write ${writes}`));
        }
        return value.apply(target, args);
      };
    },
  });
  return { store, writes: () => writes };
}
