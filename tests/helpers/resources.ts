/** Resources for tests: a real store, a fixed clock, and FMP only where a test provides one (no SEC). */

import type { Store } from "../../db/index.ts";
import type { Resources } from "../../runtime/resources.ts";
import type { FmpClient } from "../../sources/fmp/index.ts";
import type { SecDocumentClient } from "../../sources/sec/index.ts";

const noFmp = (): FmpClient => {
  throw new Error("this test gives its assets no FMP client");
};

const noSec = (): SecDocumentClient => {
  throw new Error("this test gives its assets no SEC client");
};

export function testResources(db: Store, now: Date, fmp: () => FmpClient = noFmp): Resources {
  return { db, fmp, sec: noSec, now: () => now };
}
