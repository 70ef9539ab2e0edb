/**
 * `/assets/:key`: one asset's story as the ledger tells it: what it is, what it
 * reads and feeds, the columns it writes, its last 30 materializations (table and
 * chart), the latest checks, the gate's latest decisions, the last error in full,
 * and the form that asks for it again.
 */
import { html } from "hono/html";
import type { Alert, GateDecision, Materialization } from "../../db/index.ts";
import type { AssetDefinition } from "../../runtime/define.ts";
import type { AssetStatus } from "../../runtime/status.ts";
import { alertList, checkBadges } from "./graph-page.ts";
import { chartData, fmtInt, fmtSeconds, fmtTime, type Markup } from "./layout.ts";

export interface AssetPageData {
  def: AssetDefinition;
  status: AssetStatus;
  dependents: readonly string[];
  history: readonly Materialization[];
  decisions: readonly GateDecision[];
  lastError: Materialization | null;
  csrf: string;
  /** What the last form post did (a sent event, or the reason it was refused). */
  flash?: { ok: boolean; text: string } | undefined;
  /** The asset's open alerts. */
  alerts: readonly Alert[];
}

const links = (keys: readonly string[]) =>
  keys.length
    ? keys.map((k, i) => html`${i ? ", " : ""}<a href="/assets/${k}">${k}</a>`)
    : html`<span class="muted">none</span>`;

const seconds = (m: Materialization) =>
  m.finishedAt ? (Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 1000 : null;

const scopeText = (m: Materialization) =>
  m.scope === null
    ? "full"
    : m.scope.tickers
      ? m.scope.tickers.join(", ")
      : `limit ${m.scope.limit}`;

function columns(def: AssetDefinition): Markup {
  if (!def.tables?.length) return html`<p class="muted">This asset writes no table of its own.</p>`;
  const tables = def.tables.map((t) => {
    const cols = Object.entries(t.columns as Record<string, string>).map(
      ([name, type]) =>
        html`<tr><td>${name}${t.key.includes(name as never) ? html` <span class="badge pass">key</span>` : ""}</td><td class="muted">${type}</td></tr>`,
    );
    return html`<h3>${t.name}</h3><table><thead><tr><th>column</th><th>type</th></tr></thead><tbody>${cols}</tbody></table>`;
  });
  return html`${tables}`;
}

function historyChart(history: readonly Materialization[]): Markup {
  // Oldest first, full-scope finished runs only: a scoped run's rows are not the day's.
  const runs = history.filter((m) => m.scopeKey === "" && m.status === "succeeded").reverse();
  return chartData("asset-history", {
    x: runs.map((m) => m.partition ?? m.runDate),
    series: [
      { label: "rows", values: runs.map((m) => m.rows ?? null) },
      { label: "seconds", values: runs.map(seconds), scale: "right" },
    ],
  });
}

function historyTable(history: readonly Materialization[]): Markup {
  if (history.length === 0) return html`<p class="muted">Never materialized.</p>`;
  const rows = history.map(
    (m) => html`<tr class="${m.status === "failed" ? "failing" : ""}">
<td>${m.partition ?? m.runDate}</td><td><span class="state ${m.status === "succeeded" ? "fresh" : m.status}">${m.status}</span></td>
<td>${scopeText(m)}</td><td class="num">${fmtInt(m.rows)}</td><td class="num">${fmtSeconds(seconds(m))}</td>
<td>${m.trigger}</td><td>${fmtTime(m.startedAt)}</td><td>${m.checksPassed === false ? html`<span class="badge fail">failed</span>` : m.checksPassed ? html`<span class="badge pass">passed</span>` : "–"}</td></tr>`,
  );
  return html`<table><thead><tr><th>day</th><th>status</th><th>scope</th><th class="num">rows</th><th class="num">seconds</th><th>trigger</th><th>started</th><th>checks</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function checksTable(status: AssetStatus, def: AssetDefinition): Markup {
  const declared = new Map((def.checks ?? []).map((c) => [c.name, c.description]));
  if (status.checks.length === 0)
    return html`<p class="muted">No check results yet (${declared.size} declared).</p>`;
  const rows = status.checks.map(
    (c) => html`<tr class="${c.passed ? "" : "failing"}"><td>${c.name}</td><td>${c.severity}</td>
<td><span class="badge ${c.passed ? "pass" : c.severity === "error" ? "fail" : "warn"}">${c.passed ? "passed" : "failed"}</span></td>
<td>${c.message}</td><td class="muted">${declared.get(c.name) ?? ""}</td></tr>`,
  );
  return html`<table><thead><tr><th>check</th><th>severity</th><th>result</th><th>observed</th><th>rule</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function decisionsTable(decisions: readonly GateDecision[]): Markup {
  if (decisions.length === 0)
    return html`<p class="muted">The gate has not decided on this asset yet.</p>`;
  const list = (xs: readonly string[]) => (xs.length ? xs.join(", ") : "–");
  const rows = decisions.map(
    (
      d,
    ) => html`<tr><td>${fmtTime(d.decidedAt)}</td><td>${d.partition ?? d.runDate}</td><td>${d.decision}</td><td>${d.trigger}</td>
<td>${d.reason}</td><td>${list(d.missing)}</td><td>${list(d.inProgress)}</td><td>${list(d.blocked)}</td></tr>`,
  );
  return html`<table><thead><tr><th>decided</th><th>day</th><th>decision</th><th>trigger</th><th>why</th><th>missing</th><th>running</th><th>blocked</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function rematerializeForm(data: AssetPageData): Markup {
  const { def, status } = data;
  return html`<form class="action" method="post" action="/assets/${def.key}/materialize">
<input type="hidden" name="csrf" value="${data.csrf}">
${def.partitioned ? html`<label>Partition <input name="partition" type="date" value="${status.expected}"></label>` : ""}
<label><input type="checkbox" name="force" value="true"> force</label>
<label><input type="checkbox" name="downstream" value="true"> and downstream</label>
<button type="submit">Rematerialize</button>
<span class="muted">sends fintra/asset.requested</span></form>`;
}

export function assetPage(data: AssetPageData): Markup {
  const { def, status } = data;
  return html`<h1>${def.key} <span class="state ${status.state}">${status.state}</span></h1>
<p>${def.description}</p>
${status.reason ? html`<p class="muted">${status.reason}</p>` : ""}
${data.flash ? html`<p class="${data.flash.ok ? "flash" : "error"}">${data.flash.text}</p>` : ""}
${alertList(data.alerts)}
<dl class="facts">
<dt>expected day</dt><dd>${status.expected}</dd>
<dt>partitioned</dt><dd>${def.partitioned ? "by trading date" : "no (latest state)"}</dd>
<dt>schedule</dt><dd>${def.cron ?? "runs when its deps are materialized"}</dd>
<dt>deps</dt><dd>${links(def.deps)}</dd>
<dt>dependents</dt><dd>${links(data.dependents)}</dd>
<dt>checks</dt><dd>${checkBadges(status)}</dd>
</dl>
<h2>Rematerialize</h2>
${rematerializeForm(data)}
<h2>Last ${data.history.length} materializations</h2>
${historyChart(data.history)}
${historyTable(data.history)}
<h2>Latest checks</h2>
${checksTable(status, def)}
<h2>The gate's latest decisions</h2>
${decisionsTable(data.decisions)}
<h2>Last error</h2>
${data.lastError ? html`<p>${data.lastError.partition ?? data.lastError.runDate}, ${fmtTime(data.lastError.finishedAt ?? data.lastError.startedAt)}</p><pre class="error">${data.lastError.error}</pre>` : html`<p class="muted">No failed run in the last ${data.history.length}.</p>`}
<h2>Columns</h2>
${columns(def)}`;
}
