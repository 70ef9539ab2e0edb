/** The test graph's table, declared as an asset file would declare its own. */
import { defineTable } from "../../db/index.ts";

export interface TestRow {
  asset: string;
  day: string;
  ticker: string;
  value: number | null;
  label: string | null;
  active: boolean | null;
  tags: string[] | null;
  extra: Record<string, unknown> | null;
  seen_at: string | null;
}

export const testRows = defineTable<TestRow>({
  name: "test_rows",
  key: ["asset", "day", "ticker"],
  columns: {
    asset: "text",
    day: "date",
    ticker: "text",
    value: "numeric",
    label: "text",
    active: "boolean",
    tags: "text[]",
    extra: "jsonb",
    seen_at: "timestamptz",
  },
});
