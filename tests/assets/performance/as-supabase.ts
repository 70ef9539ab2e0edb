/**
 * A SQL store seen as Supabase: every call goes to the store itself, but `dialect` says
 * "supabase", so the performance assets take their Supabase paths (the Store's paged reads,
 * sums in JS) instead of read-only SQL. Comparing both on one store shows they write the
 * same rows.
 */
import type { Store } from "../../../db/index.ts";

export function asSupabase(store: Store): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === "dialect") return "supabase";
      if (property === "readOnlyQuery")
        return async () => {
          throw new Error("no SQL over REST");
        };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
