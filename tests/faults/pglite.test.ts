/**
 * The fault matrix on PGlite (the default store, a folder on disk): every fault of issue 10
 * against the sandbox, each healed by the next ordinary run. See suite.ts and rows.ts;
 * `npm run faults` runs it at a larger scale with every row variant.
 */
import { faultSuite } from "./suite.ts";

faultSuite("pglite");
