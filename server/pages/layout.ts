/**
 * The frame every page shares: header with the ticker search, the page's body,
 * and only same-origin styles and scripts (the Content-Security-Policy in
 * pages/index.ts forbids the rest). Values reach the markup through hono/html,
 * which escapes them; `raw` is kept for markup this module built itself.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageFrame {
  title: string;
  body: Markup;
  /** Whether the viewer holds a session cookie (shows "sign out"). */
  signedIn?: boolean;
  csrf: string;
  /** Charts on the page: loads uPlot and the drawing script. */
  charts?: boolean;
}

export function layout(frame: PageFrame): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · Fintra</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/fintra.css">
${frame.charts ? html`<link rel="stylesheet" href="/static/uplot.css">` : ""}
</head>
<body>
<header class="top">
  <a class="brand" href="/">Fintra</a>
  <nav><a href="/">Graph</a> <a href="/?view=table">Table</a> <a href="/checks">Checks</a></nav>
  <form class="search" method="get" action="/tickers" role="search">
    <input name="q" placeholder="Ticker, e.g. AAPL" aria-label="Ticker" maxlength="20" required>
    <button type="submit">Open</button>
  </form>
  ${
    frame.signedIn
      ? html`<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="${frame.csrf}"><button type="submit">Sign out</button></form>`
      : ""
  }
</header>
<main>
${frame.body}
</main>
${frame.charts ? html`<script src="/static/uplot.js"></script><script src="/static/charts.js"></script>` : ""}
</body>
</html>`;
}

/**
 * Data for a chart, read by charts.js: JSON inside a non-executed script tag. `<` is
 * escaped so no value can close the tag.
 */
export function chartData(id: string, data: unknown): Markup {
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return html`<div class="chart" data-chart="${id}"></div><script type="application/json" id="${id}">${raw(json)}</script>`;
}

export const fmtInt = (n: number | null | undefined) =>
  n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en-US");

export const fmtSeconds = (s: number | null | undefined) =>
  s === null || s === undefined ? "–" : s < 10 ? s.toFixed(2) : s.toFixed(1);

export const fmtNumber = (n: unknown, digits = 2): string => {
  if (n === null || n === undefined || n === "") return "–";
  const v = Number(n);
  if (!Number.isFinite(v)) return String(n);
  return v.toLocaleString("en-US", { maximumFractionDigits: digits });
};

/** "2026-12-04T21:03:11.123Z" as "2026-12-04 21:03:11 UTC". */
export const fmtTime = (iso: string | null | undefined) =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "–";

/** A page that says what was not found (404) or refused (400), in one line. */
export function notice(title: string, message: string): Markup {
  return html`<h1>${title}</h1><p class="notice">${message}</p><p><a href="/">Back to the graph</a></p>`;
}
