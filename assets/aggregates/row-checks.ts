/**
 * The row checks of the three aggregate families (P/E, statistics, benchmarks): a family's
 * rule (group-stats.ts) over every stored row of the run's day, the same check on its sector
 * table and its industry table. A bad row is named by the table's own `labels` columns
 * ("Energy roic: sample of 2").
 */
import type { TableSpec, Where } from "../../db/index.ts";
import type { AssetCheck } from "../../runtime/define.ts";
import {
  benchmarkRowProblem,
  type GroupStats,
  type PeAggregate,
  type Percentiles,
  peRowProblem,
  statsRowProblem,
} from "./group-stats.ts";
import { partitionRowsCheck } from "./inputs.ts";

type Columns<Row> = (keyof Row & string)[];

function rowsCheck<Row extends object>(options: {
  name: string;
  description: string;
  table: TableSpec<Row>;
  partition: (day: string) => Where<Row>;
  labels: Columns<Row>;
  figures: Columns<Row>;
  problem: (row: Row) => string | null;
}): AssetCheck {
  const { labels, problem } = options;
  return partitionRowsCheck({
    name: options.name,
    description: options.description,
    table: options.table,
    partition: options.partition,
    columns: [...labels, ...options.figures],
    invalid: (row) => {
      const wrong = problem(row);
      return wrong ? `${labels.map((c) => String(row[c])).join(" ")}: ${wrong}` : null;
    },
  });
}

/** sector_pe and industry_pe: n >= 3, p-values in (0, 100] and ordered, both P/E inside. */
export function peRowsValid<Row extends PeAggregate & { pe_date: string }>(
  table: TableSpec<Row>,
  labels: Columns<Row>,
): AssetCheck {
  return rowsCheck({
    name: "pe_rows_valid",
    description:
      "every row of the day: >= 3 constituents, 0 < p10 <= ... <= p90 <= 100, median and cap-weighted mean inside",
    table,
    partition: (day) => ({ pe_date: day }) as Where<Row>,
    labels,
    figures: ["pe", "pe_cap_weighted", "p10", "p25", "p50", "p75", "p90", "constituents"],
    problem: peRowProblem,
  });
}

/** sector_stats and industry_stats: n >= 3, every figure present, std_dev >= 0. */
export function statsRowsValid<Row extends GroupStats & { stats_date: string }>(
  table: TableSpec<Row>,
  labels: Columns<Row>,
): AssetCheck {
  return rowsCheck({
    name: "stats_valid",
    description: "every row of the day: n >= 3, every figure present, std_dev >= 0",
    table,
    partition: (day) => ({ stats_date: day }) as Where<Row>,
    labels,
    figures: ["mean", "std_dev", "median", "trimmed_mean", "sample_size"],
    problem: statsRowProblem,
  });
}

/** What both benchmark tables store besides their group columns. */
type BenchmarkColumns = Percentiles & {
  snapshot_date: string;
  sample_size: number;
  confidence: string;
};

/** sector_benchmarks and industry_benchmarks: n >= 3, ordered p-values, confidence of its n. */
export function benchmarkRowsValid<Row extends BenchmarkColumns>(
  table: TableSpec<Row>,
  labels: Columns<Row>,
): AssetCheck {
  return rowsCheck({
    name: "percentiles_ordered",
    description:
      "every row of the day: n >= 3, p10 <= p25 <= p50 <= p75 <= p90, confidence of its n",
    table,
    partition: (day) => ({ snapshot_date: day }) as Where<Row>,
    labels,
    figures: ["p10", "p25", "p50", "p75", "p90", "sample_size", "confidence"],
    problem: benchmarkRowProblem,
  });
}
