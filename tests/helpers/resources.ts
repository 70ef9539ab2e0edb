/** Resources for tests: a real store, a fixed clock, and FMP only where a test provides one. */
import type { Resources } from "../../assets/resources.ts";
import type { Store } from "../../db/index.ts";
import type { FmpClient } from "../../sources/fmp/index.ts";

const noFmp = (): FmpClient => {
  throw new Error("this test gives its assets no FMP client");
};

export function testResources(db: Store, now: Date, fmp: () => FmpClient = noFmp): Resources {
  return { db, fmp, now: () => now };
}
