/**
 * The fault matrix on Postgres (DATABASE_URL; each row in a database of its own, dropped
 * after). Skipped, saying why, when DATABASE_URL is not set. See suite.ts and rows.ts.
 */
import { describe } from "vitest";
import { faultSuite } from "./suite.ts";

describe.skipIf(!process.env.DATABASE_URL)("Postgres (needs DATABASE_URL)", () => {
  faultSuite("postgres");
});
