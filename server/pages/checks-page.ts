/**
 * `/checks`: the operations guide's daily figures (assets/monitoring.ts) for the
 * last 30 trading days, as charts (counts, shares) and a table with failing days
 * marked. Every figure comes from the ledger row of its asset's full run of that
 * day: a bounded read per asset, whatever the market's size.
 */
import { html } from "hono/html";
import {
  GUIDE_METRICS,
  guideFloors,
  type MetricReading,
  readMetric,
  scaleOf,
} from "../../assets/monitoring.ts";
import type { Materialization, Store } from "../../db/index.ts";
import { daysBefore } from "../../engines/dates.ts";
import { latestTradingDay } from "../../runtime/partitions.ts";
import { chartData, fmtInt, fmtNumber, type Markup } from "./layout.ts";

const DAYS = 30;
/** Runs read per asset: 30 days plus scoped and failed runs between them. */
const HISTORY_LIMIT = 400;

export interface ChecksPageData {
  days: string[];
  /** readings[day][metric key] */
  readings: Map<string, Map<string, MetricReading>>;
}

/** The last `DAYS` trading days up to `expected`, oldest first. */
function tradingDays(expected: string): string[] {
  const days: string[] = [];
  let day = expected;
  while (days.length < DAYS) {
    days.push(day);
    day = latestTradingDay(daysBefore(day, 1));
  }
  return days.reverse();
}

export async function loadChecks(db: Store, expected: string): Promise<ChecksPageData> {
  const days = tradingDays(expected);
  const assets = [...new Set(GUIDE_METRICS.map((m) => m.asset))];
  const runs = new Map<string, Map<string, Materialization>>();
  await Promise.all(
    assets.map(async (asset) => {
      const byDay = new Map<string, Materialization>();
      // Newest first: the first full succeeded run of a day is its latest.
      for (const m of await db.ledger.history({ asset, limit: HISTORY_LIMIT })) {
        const day = m.partition ?? m.runDate;
        if (m.status === "succeeded" && m.scopeKey === "" && !byDay.has(day)) byDay.set(day, m);
      }
      runs.set(asset, byDay);
    }),
  );
  // The universe run a day is judged by: its own, else the latest before it, else (a day
  // older than every run kept) the oldest one: the universe is latest state.
  const universe = [...(runs.get("fintra_universe")?.values() ?? [])].sort((a, b) =>
    b.runDate.localeCompare(a.runDate),
  );
  const universeOn = (day: string, before = false) =>
    universe.find((m) => (before ? m.runDate < day : m.runDate <= day)) ??
    (before ? null : (universe.at(-1) ?? null));
  const floors = guideFloors();
  const readings = new Map<string, Map<string, MetricReading>>();
  for (const day of days) {
    const row = new Map<string, MetricReading>();
    for (const metric of GUIDE_METRICS) {
      const own = metric.asset === "fintra_universe";
      const base = {
        scale: scaleOf(universeOn(day)),
        previous: own ? universeOn(day, true) : null,
      };
      row.set(
        metric.key,
        readMetric(metric, runs.get(metric.asset)?.get(day) ?? null, base, floors),
      );
    }
    readings.set(day, row);
  }
  return { days, readings };
}

const show = (r: MetricReading | undefined, v: number | null | undefined) =>
  v === null || v === undefined
    ? "–"
    : r?.metric.unit === "share"
      ? `${fmtNumber(v * 100, 1)} %`
      : fmtInt(v);

export function checksPage(d: ChecksPageData): Markup {
  const series = (unit: "count" | "share") =>
    GUIDE_METRICS.filter((m) => m.unit === unit).map((m) => ({
      label: m.label,
      values: d.days.map((day) => d.readings.get(day)?.get(m.key)?.value ?? null),
    }));
  const failing = (day: string) =>
    [...(d.readings.get(day)?.values() ?? [])].filter((r) => r.passed === false);
  const head = GUIDE_METRICS.map(
    (m) =>
      html`<th class="num" title="guide: ${m.expected}, alert if ${m.alertIf}"><a href="/assets/${m.asset}">${m.label}</a></th>`,
  );
  const rows = [...d.days].reverse().map((day) => {
    const bad = failing(day);
    const cells = GUIDE_METRICS.map((m) => {
      const r = d.readings.get(day)?.get(m.key);
      const cls = r?.passed === false ? "failing" : "";
      return html`<td class="num ${cls}" title="${r?.floor === null || r?.floor === undefined ? "no floor" : `alert below ${show(r, r.floor)}`}">${show(r, r?.value)}${r?.passed === false ? html` <span class="badge fail">alert</span>` : ""}</td>`;
    });
    return html`<tr class="${bad.length ? "failing" : ""}" data-day="${day}" data-failing="${bad.length}"><td class="day">${day}</td>${cells}</tr>`;
  });
  const rules = GUIDE_METRICS.map(
    (m) =>
      html`<tr><td>${m.label}</td><td><a href="/assets/${m.asset}">${m.asset}</a></td><td>${m.expected}</td><td>${m.alertIf}</td></tr>`,
  );
  const badDays = d.days.filter((day) => failing(day).length > 0).length;
  return html`<h1>Daily checks, last ${d.days.length} trading days</h1>
<p>${badDays} of ${d.days.length} days crossed an alert threshold. Company counts are judged at the
guide's proportions (its figures are for 45,000 companies) to the day's active equities, as
that day's universe run counted them; active tickers against the run before.</p>
<h2>Counts</h2>
${chartData("checks-counts", { x: d.days, series: series("count") })}
<h2>Shares</h2>
${chartData("checks-shares", { x: d.days, series: series("share") })}
<h2>By day</h2>
<table><thead><tr><th>day</th>${head}</tr></thead><tbody>${rows}</tbody></table>
<h2>The guide's thresholds</h2>
<table><thead><tr><th>figure</th><th>asset</th><th>expected (45,000 tickers)</th><th>alert if</th></tr></thead><tbody>${rules}</tbody></table>`;
}
