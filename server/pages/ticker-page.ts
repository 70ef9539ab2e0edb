/**
 * `/tickers/:ticker`: one company as the day's tables hold it: its latest
 * snapshot block by block (each with its status or the reason it is pending), a
 * year of closes, its latest FY and TTM figures, the sector and industry
 * benchmarks it was scored against, and its peers. Every read is on a key or an
 * index of one ticker (or one sector/industry and day), so the page costs the
 * same at 45,000 tickers as at 60.
 */
import { html } from "hono/html";
import { industryBenchmarksTable } from "../../assets/aggregates/industry_benchmarks.ts";
import { sectorBenchmarksTable } from "../../assets/aggregates/sector_benchmarks.ts";
import { companyProfilesTable } from "../../assets/company_profiles.ts";
import { datosEodTable } from "../../assets/datos_eod.ts";
import { universeTable } from "../../assets/fintra_universe.ts";
import {
  fintraSnapshotsTable,
  type SnapshotRecord,
} from "../../assets/snapshot/fintra_snapshots.ts";
import { financialsTable } from "../../assets/statements/datos_financieros.ts";
import { stockPeersTable } from "../../assets/stock_peers.ts";
import type { Store } from "../../db/index.ts";
import { daysBefore, yearsBefore } from "../../engines/dates.ts";
import { chartData, fmtNumber, type Markup } from "./layout.ts";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;

/** How far back the page looks for the ticker's latest snapshot. */
const SNAPSHOT_LOOKBACK_DAYS = 40;

/** The financial figures shown for the latest FY and TTM rows. */
const FIGURES = [
  "revenue",
  "gross_profit",
  "operating_income",
  "net_income",
  "ebitda",
  "free_cash_flow",
  "total_debt",
  "cash_and_equivalents",
  "total_equity",
  "shares_outstanding",
] as const;

export interface TickerPageData {
  ticker: string;
  name: string | null;
  expected: string;
  snapshot: SnapshotRecord | null;
  prices: { price_date: string; close: number | null }[];
  fy: Json | null;
  ttm: Json | null;
  sector: string | null;
  industry: string | null;
  sectorBenchmarks: Json[];
  industryBenchmarks: Json[];
  peers: string[];
  csrf: string;
  flash?: { ok: boolean; text: string } | undefined;
}

/** Whether the universe knows the ticker (any status: delisted companies keep their pages). */
export async function knownTicker(db: Store, ticker: string): Promise<string | null | false> {
  const [row] = await db.readAll(universeTable, { where: { ticker }, columns: ["ticker", "name"] });
  return row ? (row.name ?? null) : false;
}

export async function loadTicker(
  db: Store,
  ticker: string,
  expected: string,
): Promise<Omit<TickerPageData, "csrf" | "name" | "flash">> {
  const [snapshots, prices, financials, peers, profile] = await Promise.all([
    db.readAll(fintraSnapshotsTable, {
      where: {
        ticker,
        snapshot_date: { gte: daysBefore(expected, SNAPSHOT_LOOKBACK_DAYS), lte: expected },
      },
    }),
    db.readAll(datosEodTable, {
      where: { ticker, price_date: { gt: yearsBefore(expected, 1), lte: expected } },
      columns: ["price_date", "close"],
    }),
    db.readAll(financialsTable, {
      where: { ticker, period_type: { in: ["FY", "TTM"] } },
      columns: ["period_type", "period_label", "period_end_date", "filing_date", ...FIGURES],
    }),
    db.readAll(stockPeersTable, { where: { ticker }, columns: ["peer_ticker"] }),
    db.readAll(companyProfilesTable, { where: { ticker }, columns: ["sector", "industry"] }),
  ]);
  const snapshot = snapshots.at(-1) ?? null;
  const latest = (type: string) =>
    (financials
      .filter((f) => f.period_type === type && f.period_end_date <= expected)
      .sort((a, b) => a.period_end_date.localeCompare(b.period_end_date))
      .at(-1) as Json | undefined) ?? null;
  const classification = obj(snapshot?.classification);
  const sector = (classification?.sector as string | undefined) ?? profile[0]?.sector ?? null;
  const industry = (classification?.industry as string | undefined) ?? profile[0]?.industry ?? null;
  const benchDay = snapshot?.snapshot_date ?? expected;
  const [sectorBenchmarks, industryBenchmarks] = await Promise.all([
    sector
      ? db.readAll(sectorBenchmarksTable, { where: { sector, snapshot_date: benchDay } })
      : Promise.resolve([]),
    industry
      ? db.readAll(industryBenchmarksTable, { where: { industry, snapshot_date: benchDay } })
      : Promise.resolve([]),
  ]);
  return {
    ticker,
    expected,
    snapshot,
    prices: prices.map((p) => ({ price_date: p.price_date, close: p.close })),
    fy: latest("FY"),
    ttm: latest("TTM"),
    sector,
    industry,
    sectorBenchmarks: sectorBenchmarks as unknown as Json[],
    industryBenchmarks: industryBenchmarks as unknown as Json[],
    peers: peers.map((p) => p.peer_ticker),
  };
}

/** A layer's state as the snapshot's data_confidence records it (pending layers say why). */
function layerState(snapshot: SnapshotRecord, layer: string): string | null {
  const states = obj(obj(snapshot.data_confidence)?.layer_status);
  const state = obj(states?.[layer]);
  if (!state) return null;
  return [state.state, state.blocking_reason].filter(Boolean).join(": ");
}

function card(title: string, value: unknown, status: string | null, detail: unknown): Markup {
  return html`<section class="card" data-block="${title}"><h3>${title}</h3>
<div class="value">${value === null || value === undefined ? "–" : typeof value === "number" ? fmtNumber(value, 1) : String(value)}</div>
<div class="muted">${status ?? ""}</div>
${detail ? html`<details><summary>details</summary><pre>${JSON.stringify(detail, null, 1)}</pre></details>` : ""}</section>`;
}

function blocks(s: SnapshotRecord): Markup {
  const components = obj(s.fgos_components);
  const valuation = obj(s.valuation);
  const ifs = obj(s.ifs);
  const dividends = obj(s.dividend_quality);
  const relative = obj(s.relative_return);
  const verdict = obj(s.investment_verdict);
  const moatDetails = obj(components?.moat_details);
  return html`<div class="cards">
${card("FGOS", s.fgos_score === null ? null : Number(s.fgos_score), [s.fgos_status, s.fgos_category, s.fgos_reason, s.fgos_confidence_label && `confidence ${s.fgos_confidence_label}`, s.fgos_maturity].filter(Boolean).join(" · "), components)}
${card("Valuation", valuation?.canonical_status ?? valuation?.stage ?? null, (valuation?.explanation as string | undefined) ?? layerState(s, "valuation"), valuation)}
${card("IFS", ifs?.position ?? ifs?.label ?? null, ifs ? ((ifs.status as string | undefined) ?? null) : (layerState(s, "ifs") ?? "not computed"), ifs)}
${card("Moat", components?.moat ?? null, (moatDetails?.status as string | undefined) ?? (moatDetails?.explanation as string | undefined) ?? null, moatDetails)}
${card("Sentiment", components?.sentiment ?? null, components?.sentiment === null ? "pending: no sentiment inputs" : null, components?.sentiment_details ?? null)}
${card("Dividends", dividends?.score ?? null, (dividends?.status as string | undefined) ?? null, dividends)}
${card("Relative return", relative?.score ?? null, (relative?.band as string | undefined) ?? "pending: no window with a benchmark", relative)}
${card("Verdict", verdict?.verdict_label ?? null, verdict ? `score ${fmtNumber(verdict.verdict_score, 0)}` : "pending", verdict)}
</div>`;
}

function figuresTable(fy: Json | null, ttm: Json | null): Markup {
  if (!fy && !ttm) return html`<p class="muted">No FY or TTM statements stored.</p>`;
  const head = (r: Json | null, label: string) =>
    r
      ? html`<th class="num">${label} ${String(r.period_label)}<br><span class="muted">ended ${String(r.period_end_date)}, filed ${String(r.filing_date ?? "–")}</span></th>`
      : html`<th class="num">${label}: none</th>`;
  const rows = FIGURES.map(
    (f) =>
      html`<tr><td>${f}</td><td class="num">${fmtNumber(fy?.[f], 0)}</td><td class="num">${fmtNumber(ttm?.[f], 0)}</td></tr>`,
  );
  return html`<table><thead><tr><th>figure</th>${head(fy, "FY")}${head(ttm, "TTM")}</tr></thead><tbody>${rows}</tbody></table>`;
}

function benchmarksTable(rows: readonly Json[], group: string): Markup {
  if (rows.length === 0) return html`<p class="muted">No ${group} benchmarks for that day.</p>`;
  const body = rows.map(
    (
      r,
    ) => html`<tr><td>${String(r.metric)}${r.group_type ? html` <span class="muted">${String(r.group_type)}</span>` : ""}</td>
${["p10", "p25", "p50", "p75", "p90"].map((p) => html`<td class="num">${fmtNumber(r[p], 3)}</td>`)}
<td class="num">${fmtNumber(r.sample_size, 0)}</td><td>${String(r.confidence ?? "")}</td></tr>`,
  );
  return html`<table><thead><tr><th>metric</th><th class="num">p10</th><th class="num">p25</th><th class="num">p50</th><th class="num">p75</th><th class="num">p90</th><th class="num">n</th><th>confidence</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function tickerPage(d: TickerPageData): Markup {
  const s = d.snapshot;
  return html`<h1>${d.ticker}${d.name ? html` <span class="muted">${d.name}</span>` : ""}</h1>
${d.flash ? html`<p class="${d.flash.ok ? "flash" : "error"}">${d.flash.text}</p>` : ""}
<form class="action" method="post" action="/tickers/${d.ticker}/materialize">
<input type="hidden" name="csrf" value="${d.csrf}">
<label>Partition <input name="partition" type="date" value="${d.expected}"></label>
<button type="submit">Run the graph for this ticker</button><span class="muted">sends fintra/ticker.requested</span></form>
<h2>Snapshot ${s ? `of ${s.snapshot_date}` : ""}</h2>
${s ? html`${s.snapshot_date < d.expected ? html`<p class="notice">No snapshot for ${d.expected}; the latest is of ${s.snapshot_date}.</p>` : ""}${blocks(s)}` : html`<p class="notice">No snapshot in the ${SNAPSHOT_LOOKBACK_DAYS} days up to ${d.expected}.</p>`}
<h2>Closes, last year</h2>
${chartData("ticker-prices", { x: d.prices.map((p) => p.price_date), series: [{ label: "close", values: d.prices.map((p) => p.close) }] })}
<h2>Latest FY and TTM figures</h2>
${figuresTable(d.fy, d.ttm)}
<h2>Sector: ${d.sector ?? "unknown"}</h2>
${benchmarksTable(d.sectorBenchmarks, "sector")}
<h2>Industry: ${d.industry ?? "unknown"}</h2>
${benchmarksTable(d.industryBenchmarks, "industry")}
<h2>Peers</h2>
<p>${d.peers.length ? d.peers.map((p, i) => html`${i ? ", " : ""}<a href="/tickers/${encodeURIComponent(p)}">${p}</a>`) : html`<span class="muted">none stored</span>`}</p>`;
}
