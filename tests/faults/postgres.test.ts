/**
 * The fault matrix on Postgres (DATABASE_URL; each row in a database of its own, dropped
 * after). Skipped with a message when DATABASE_URL is not set. See suite.ts and rows.ts.
 */
import { describe, it } from "vitest";
import { faultSuite } from "./suite.ts";

if (process.env.DATABASE_URL) faultSuite("postgres");
else
  describe("fault matrix on Postgres", () => {
    it.skip("needs DATABASE_URL (a local Postgres); not set", () => {});
  });
