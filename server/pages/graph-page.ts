/**
 * `/`: the asset graph as lineage, deps left to right, each node coloured by its
 * state for the expected day, with rows, seconds and check badges, and a link to
 * its page. `/?view=table` lists the same as a table sortable by any column (the
 * server sorts: no script needed). The layout is dagre's, computed here and sent
 * as SVG.
 */
import {
  type Edge,
  type EdgeLabel,
  Graph,
  type GraphLabel,
  layout as layoutGraph,
  type NodeLabel,
  type Point,
} from "@dagrejs/dagre";
import { html } from "hono/html";
import type { Alert } from "../../db/index.ts";
import type { AssetGraph } from "../../runtime/graph.ts";
import type { AssetStatus } from "../../runtime/status.ts";
import { fmtInt, fmtSeconds, fmtTime, type Markup } from "./layout.ts";

const NODE_WIDTH = 210;
const NODE_HEIGHT = 58;

/** The day's run: the earliest start and latest end among the assets' latest runs for it. */
function dailyRun(statuses: readonly AssetStatus[]) {
  const expected = statuses[0]?.expected ?? "";
  const runs = statuses
    .map((s) => s.latest)
    .filter((r) => r !== null && (r.partition ?? r.runDate) === expected);
  const starts = runs.map((r) => r?.startedAt ?? "").filter(Boolean);
  const ends = runs.map((r) => r?.finishedAt ?? "").filter(Boolean);
  const running = statuses.some((s) => s.state === "running");
  return {
    expected,
    start: starts.length ? starts.sort()[0] : null,
    end: ends.length && !running ? ends.sort().at(-1) : null,
  };
}

export function checkBadges(status: Pick<AssetStatus, "checks">): Markup {
  const failing = status.checks.filter((c) => !c.passed);
  if (status.checks.length === 0) return html`<span class="muted">no checks</span>`;
  if (failing.length === 0) return html`<span class="badge pass">${status.checks.length} ✓</span>`;
  const errors = failing.filter((c) => c.severity === "error").length;
  return html`<span class="badge ${errors ? "fail" : "warn"}" title="${failing.map((c) => c.name).join(", ")}">${failing.length} of ${status.checks.length} failing</span>`;
}

function svgGraph(graph: AssetGraph, statuses: readonly AssetStatus[]): Markup {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 60, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of statuses) g.setNode(s.key, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const s of statuses) for (const dep of s.deps) g.setEdge(dep, s.key);
  layoutGraph(g);
  // Edges may be routed past the nodes' box: the drawing's bounds take their points too.
  let { width = 0, height = 0 } = g.graph();
  for (const e of g.edges()) {
    for (const p of g.edge(e).points ?? []) {
      width = Math.max(width, p.x + 10);
      height = Math.max(height, p.y + 10);
    }
  }
  const edges = g.edges().map((e: Edge) => {
    const points = g.edge(e).points ?? [];
    const d = points.map(
      (p: Point, i: number) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`,
    );
    return html`<path class="edge" d="${d.join(" ")}" marker-end="url(#arrow)"></path>`;
  });
  const nodes = statuses.map((s) => {
    const n = g.node(s.key);
    const x = n.x - NODE_WIDTH / 2;
    const y = n.y - NODE_HEIGHT / 2;
    const run = s.latest;
    const failing = s.checks.filter((c) => !c.passed).length;
    const checks = s.checks.length
      ? ` · checks ${s.checks.length - failing}/${s.checks.length}`
      : "";
    const def = graph.get(s.key);
    return html`<a href="/assets/${s.key}" class="node ${s.state}" data-asset="${s.key}" data-state="${s.state}">
<title>${s.key}: ${s.state}${s.reason ? ` (${s.reason})` : ""}</title>
<rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}"></rect>
<text class="key" x="${x + 8}" y="${y + 17}">${s.key}</text>
<text class="sub" x="${x + 8}" y="${y + 33}">${s.state}${def.partitioned ? "" : " · latest state"}</text>
<text class="sub" x="${x + 8}" y="${y + 49}">${run ? `${fmtInt(run.rows)} rows · ${fmtSeconds(run.seconds)} s${checks}` : "never run"}</text>
</a>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="asset lineage">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#a1a1aa"></path></marker></defs>
${edges}${nodes}</svg>`;
}

const SORTS = {
  asset: (s: AssetStatus) => s.key,
  state: (s: AssetStatus) => s.state,
  rows: (s: AssetStatus) => s.latest?.rows ?? -1,
  seconds: (s: AssetStatus) => s.latest?.seconds ?? -1,
  finished: (s: AssetStatus) => s.latest?.finishedAt ?? "",
  checks: (s: AssetStatus) => s.checks.filter((c) => !c.passed).length,
} as const;
type SortKey = keyof typeof SORTS;

export function isSortKey(value: string | undefined): value is SortKey {
  return value !== undefined && value in SORTS;
}

function sorted(statuses: readonly AssetStatus[], by: SortKey | null, desc: boolean) {
  if (!by) return statuses;
  const key = SORTS[by];
  return [...statuses].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return desc ? -order : order;
  });
}

function statusTable(statuses: readonly AssetStatus[], by: SortKey | null, desc: boolean): Markup {
  const head = (label: string, key: SortKey, num = false) => {
    const next = by === key && !desc ? "desc" : "asc";
    const arrow = by === key ? (desc ? " ▼" : " ▲") : "";
    return html`<th class="${num ? "num" : ""}"><a class="sort" href="/?view=table&amp;sort=${key}&amp;dir=${next}">${label}${arrow}</a></th>`;
  };
  const rows = sorted(statuses, by, desc).map(
    (s) => html`<tr data-asset="${s.key}">
<td><a href="/assets/${s.key}">${s.key}</a></td>
<td><span class="state ${s.state}">${s.state}</span></td>
<td class="num">${fmtInt(s.latest?.rows)}</td>
<td class="num">${fmtSeconds(s.latest?.seconds)}</td>
<td>${fmtTime(s.latest?.finishedAt)}</td>
<td>${checkBadges(s)}</td>
<td class="muted">${s.reason}</td></tr>`,
  );
  return html`<table class="sortable"><thead><tr>${head("asset", "asset")}${head("state", "state")}${head("rows", "rows", true)}${head("seconds", "seconds", true)}${head("finished", "finished")}${head("checks", "checks")}<th>why</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Open alerts, newest first, with where to look. */
export function alertList(alerts: readonly Alert[]): Markup {
  if (alerts.length === 0) return html``;
  const items = alerts.map(
    (a) =>
      html`<li data-alert="${a.kind}:${a.asset}:${a.metric}"><span class="badge fail">${a.kind}</span> ${a.day} ${a.message} ${a.link.startsWith("/") ? html`<a href="${a.link}">open</a>` : html`<code>${a.link}</code>`}</li>`,
  );
  return html`<section class="alerts"><h2>${alerts.length} open alert${alerts.length === 1 ? "" : "s"}</h2><ul>${items}</ul></section>`;
}

export function graphPage(
  graph: AssetGraph,
  statuses: readonly AssetStatus[],
  view: { table: boolean; sort: SortKey | null; desc: boolean },
  alerts: readonly Alert[] = [],
): Markup {
  const run = dailyRun(statuses);
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const legend = [...counts].map(
    ([state, n]) => html`<span><span class="state ${state}">${state}</span> ${n}</span>`,
  );
  return html`<h1>Asset graph for ${run.expected}</h1>
<p>Daily run: started ${fmtTime(run.start)}, ${run.end ? html`finished ${fmtTime(run.end)}` : "not finished"}.
 <a href="${view.table ? "/" : "/?view=table"}">${view.table ? "Show the graph" : "Show as a table"}</a></p>
<p class="legend">${legend}</p>
${alertList(alerts)}
${view.table ? statusTable(statuses, view.sort, view.desc) : html`<div class="graph">${svgGraph(graph, statuses)}</div>`}`;
}
