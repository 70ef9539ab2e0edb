/**
 * What sector_performance and industry_performance share: the equal-weighted means of a
 * day's members per group and window, the members floor every row keeps, and the one body
 * of both assets (a scoped run leaves the table alone; a full run replaces D's rows in one
 * transaction, `replaceSlice`). Each table keeps its columns, its coverage check and its
 * step id in its own file.
 *
 * The SQL stores sum in the database (`groupSumsQuery`) in ticker order as float8, the order
 * and arithmetic of the JS sum Supabase gets from `constituentMeans`: the same doubles.
 */
import type { Store, TableSpec, Where } from "../../db/index.ts";
import type { AssetCheck, AssetContext, MaterializeResult } from "../../runtime/define.ts";
import { replaceSlice } from "../../runtime/staged.ts";
import { type GroupReturn, MIN_MEMBERS } from "./math.ts";
import { type ConstituentMeans, constituentMeans, type Membership } from "./membership.ts";

const AGGREGATE_SOURCE = "constituents_equal_weight";

/** A SQL string literal (a partition date here). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The query behind `constituentMeansBySql`: the members valid on D (the newest
 * asset_industry_map row valid on D whose industry is in the taxonomy, as `membershipsOn`
 * picks it), joined to the day's datos_performance rows, summed per (group, window) IN
 * TICKER ORDER as float8: the order and the arithmetic of `EqualWeightMeans`, which adds the
 * returns as a key-ordered read yields them, so the sums are the same doubles. A sum travels
 * as its 8 bytes in hex (float8send): the text form of a float8 depends on the session's
 * extra_float_digits. Non-finite returns are left out of the sums, as `EqualWeightMeans`
 * leaves them out, but counted as members. A last row (group NULL) counts the day's
 * symbols without a membership (SPY, ETFs, unclassified equities).
 */
function groupSumsQuery(day: string, groupBy: keyof Membership): string {
  const group = groupBy === "sector" ? "c.sector" : "c.industry_name";
  const d = `DATE ${literal(day)}`;
  return `WITH members AS (
      SELECT DISTINCT ON (m.ticker) m.ticker, ${group} AS grp
      FROM asset_industry_map m
      JOIN industry_classification c ON c.industry_code = m.industry_code
      WHERE m.effective_from <= ${d} AND (m.effective_to IS NULL OR m.effective_to >= ${d})
      ORDER BY m.ticker, m.effective_from DESC
    ), day AS (
      SELECT p.ticker, p.window_code, p.return_percent::float8 AS r
      FROM datos_performance p WHERE p.performance_date = ${d}
    )
    SELECT mb.grp, day.window_code,
      encode(float8send(sum(day.r ORDER BY day.ticker) FILTER (WHERE day.r <> 'NaN'::float8
        AND day.r <> 'Infinity'::float8 AND day.r <> '-Infinity'::float8)), 'hex') AS total,
      (count(*) FILTER (WHERE day.r <> 'NaN'::float8 AND day.r <> 'Infinity'::float8
        AND day.r <> '-Infinity'::float8))::int AS n,
      count(*)::int AS rows
    FROM day JOIN members mb ON mb.ticker = day.ticker
    GROUP BY mb.grp, day.window_code
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, count(DISTINCT day.ticker)::int
    FROM day WHERE NOT EXISTS (SELECT 1 FROM members mb WHERE mb.ticker = day.ticker)`;
}

/** A float8 as float8send writes it (8 bytes, big-endian, in hex). */
function float8FromHex(hex: string): number {
  return Buffer.from(hex, "hex").readDoubleBE(0);
}

/**
 * `constituentMeans` computed by the database: one query (`groupSumsQuery`) answers a row
 * per (group, window) instead of the day's datos_performance rows (10 per priced symbol).
 * Same rows, same doubles, same counts; the Store's read-only SQL, so SQL stores only.
 */
export async function constituentMeansBySql(
  db: Store,
  day: string,
  groupBy: keyof Membership,
): Promise<ConstituentMeans> {
  const rows: GroupReturn[] = [];
  const membersByWindow: Record<string, number> = {};
  let returnsUsed = 0;
  let nonMembers = 0;
  let belowMinimum = 0;
  for (const row of await db.readOnlyQuery(groupSumsQuery(day, groupBy))) {
    const count = Number(row.rows);
    if (row.grp === null) {
      nonMembers = count;
      continue;
    }
    const window = row.window_code as string;
    membersByWindow[window] = (membersByWindow[window] ?? 0) + count;
    returnsUsed += count;
    const n = Number(row.n);
    if (n === 0) continue;
    if (n < MIN_MEMBERS) belowMinimum += 1;
    else
      rows.push({
        group: row.grp as string,
        window_code: window,
        return_percent: float8FromHex(row.total as string) / n,
        members: n,
      });
  }
  rows.sort((a, b) => a.group.localeCompare(b.group) || a.window_code.localeCompare(b.window_code));
  return { rows, returnsUsed, nonMembers, belowMinimum, membersByWindow };
}

/**
 * Equal-weighted means per group and window of the members priced on `day`: summed by the
 * database on the SQL stores, from the day's rows read through the Store on Supabase.
 */
function groupMeans(db: Store, day: string, groupBy: keyof Membership): Promise<ConstituentMeans> {
  return db.dialect === "supabase"
    ? constituentMeans(db, day, groupBy)
    : constituentMeansBySql(db, day, groupBy);
}

/** The columns sector_performance and industry_performance share. */
interface GroupRow {
  window_code: string;
  performance_date: string;
  return_percent: number;
  members: number;
}

/** Every row of the day has at least MIN_MEMBERS members and a finite return. */
export function membersFloorCheck<Row extends GroupRow>(
  table: TableSpec<Row>,
  groupColumn: keyof Row & string,
): AssetCheck {
  return {
    name: "members_floor",
    severity: "error",
    description: `every row of the day averages at least ${MIN_MEMBERS} constituents`,
    async run({ db, partition, scope }) {
      if (scope) return { passed: true, message: "scoped run: aggregates left as they are" };
      const rows = await db.readAll(table, {
        where: { performance_date: partition } as Where<Row>,
      });
      const bad = rows.filter(
        (r) => !(r.members >= MIN_MEMBERS) || !Number.isFinite(r.return_percent),
      );
      return {
        passed: bad.length === 0,
        value: bad.length,
        message:
          bad.length === 0
            ? `${rows.length} rows, each with >= ${MIN_MEMBERS} members`
            : `${bad.length} rows under the floor, e.g. ${String(bad[0]?.[groupColumn])} ${bad[0]?.window_code}`,
      };
    },
  };
}

/** What differs between the two assets' runs. */
interface GroupPerformance<Row extends GroupRow> {
  /** The grouping, which is also the table's group column. */
  groupBy: keyof Membership;
  /** The step's id (stable: Inngest matches a replayed run's steps by it). */
  step: string;
  table: TableSpec<Row>;
  /** Facts about the rows for the ledger, after `written` and before the means' counts. */
  facts: (rows: readonly Row[]) => Record<string, unknown>;
}

/** A group's mean as a row: the group's name under the table's group column. */
function groupRow<Row extends GroupRow>(groupBy: keyof Membership, day: string, m: GroupReturn) {
  return {
    [groupBy]: m.group,
    window_code: m.window_code,
    performance_date: day,
    return_percent: m.return_percent,
    members: m.members,
    source: AGGREGATE_SOURCE,
  } as unknown as Row;
}

/** sector_performance's and industry_performance's materialize. */
export function materializeGroupPerformance<Row extends GroupRow>(
  spec: GroupPerformance<Row>,
): (ctx: AssetContext<string>) => Promise<MaterializeResult> {
  return async (ctx) => {
    if (ctx.scope)
      return {
        rows: 0,
        metadata: {
          scoped: `${spec.groupBy} returns average every constituent; a scoped run leaves them as they are`,
        },
      };
    const day = ctx.partition;
    const result = await ctx.step(spec.step, async () => {
      const means = await groupMeans(ctx.db, day, spec.groupBy);
      const rows = means.rows.map((m) => groupRow<Row>(spec.groupBy, day, m));
      // The day's rows are replaced in one transaction: readers never see a mix of runs.
      const { written, removed: pruned } = await replaceSlice(
        ctx,
        spec.table,
        { performance_date: day } as Where<Row>,
        rows,
      );
      return {
        written,
        ...spec.facts(rows),
        returnsUsed: means.returnsUsed,
        membersByWindow: means.membersByWindow,
        nonMembers: means.nonMembers,
        belowMinimum: means.belowMinimum,
        pruned,
      };
    });
    return {
      rows: result.written,
      metadata: { ...result, weighting: "equal", minMembers: MIN_MEMBERS },
    };
  };
}
