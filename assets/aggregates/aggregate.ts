/**
 * The one body of the six sector/industry aggregates (pe, stats, benchmarks): a scoped run
 * leaves the table alone (an aggregate describes every constituent, not a slice); a full
 * run loads D's constituents once, builds the table's rows with its own pure builder and
 * makes D's partition exactly those rows, all in one step. Each table keeps its columns,
 * builder and checks in its own file and declares only what differs here; a builder maps
 * its family's figures per sector or industry (groups.ts) to its columns, and the family's
 * row rule is one check on both tables (row-checks.ts).
 */
import type { TableSpec, Where } from "../../db/index.ts";
import type { AssetContext, MaterializeResult } from "../../runtime/define.ts";
import {
  type CompanyInputs,
  loadCompanyInputs,
  replacePartition,
  SCOPED_AGGREGATE,
} from "./inputs.ts";

interface GroupAggregate<Row extends object> {
  /** The step's id (stable: Inngest matches a replayed run's steps by it). */
  step: string;
  table: TableSpec<Row>;
  /** D's slice of the table. */
  partition: (day: string) => Where<Row>;
  /** false: only valuations are read (the P/E aggregates). */
  financials: boolean;
  build: (companies: readonly CompanyInputs[], day: string) => Row[];
  /** Facts about the rows for the ledger, beside written/removed and the input counts. */
  facts: (rows: readonly Row[], companies: readonly CompanyInputs[]) => Record<string, unknown>;
}

export function materializeGroupAggregate<Row extends object>(
  spec: GroupAggregate<Row>,
): (ctx: AssetContext<string>) => Promise<MaterializeResult> {
  return async (ctx) => {
    if (ctx.scope) return { rows: 0, metadata: { scoped: SCOPED_AGGREGATE } };
    const day = ctx.partition;
    const result = await ctx.step(spec.step, async () => {
      const { companies, counts } = await loadCompanyInputs(ctx.db, day, {
        financials: spec.financials,
      });
      const rows = spec.build(companies, day);
      const { written, removed } = await replacePartition(
        ctx,
        spec.table,
        spec.partition(day),
        rows,
      );
      return { written, removed, ...spec.facts(rows, companies), ...counts };
    });
    return { rows: result.written, metadata: result };
  };
}
