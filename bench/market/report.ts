/**
 * bench:market's figures: the stage, floor and page tables (the same markdown on stdout and
 * in BENCHMARKS.md), the JSON file, and the update of BENCHMARKS.md's own section, newest run
 * first, older runs kept, anything outside the section left alone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface AssetFigure {
  asset: string;
  status: string;
  seconds: number;
  rows: number;
  reason?: string;
}

export interface StageResult {
  key: "backfill" | "cold" | "steady" | "ticker" | "rerun" | "sec";
  label: string;
  seconds: number;
  rows: number;
  rowsPerSecond: number;
  peakRssMb: number;
  /** Requests the file server answered during the stage, and their bytes. */
  requests: number;
  bytes: number;
  /** Requests the cache could not answer. */
  misses: string[];
  /** Assets that failed or waited, with why. */
  problems: string[];
  assets: AssetFigure[];
  /** The floor this stage is compared with, if any. */
  floor?: "history" | "cold" | "steady";
  note?: string;
}

export interface FloorResult {
  key: "history" | "cold" | "steady";
  label: string;
  files: number;
  bytes: number;
  downloadSeconds: number;
  parsedRows: number;
  parseSeconds: number;
  copyRows: number;
  copySeconds: number;
  seconds: number;
  tables: { table: string; rows: number; seconds: number }[];
  note?: string;
}

/** The operator's pages: no page may take longer than this server-side (the issue's bound). */
export const PAGE_TARGET_MS = 300;

/** One page timed in process on the finished store (bench/market/pages.ts). */
export interface PageFigure {
  path: string;
  /** The status of every request, or the first one other than 200 when they differ. */
  status: number;
  /** The body's size, in bytes, of the first request. */
  bytes: number;
  /** The first request: cold caches, query plans not yet made. Shown, not judged. */
  firstMs: number;
  /** The median and the slowest of the timed requests after the first: the verdict's figure. */
  medianMs: number;
  maxMs: number;
  /** How many timed requests medianMs and maxMs are of. */
  requests: number;
  /** Why the page could not be measured (a request that threw), if it could not. */
  error?: string;
}

export interface BenchReport {
  date: string;
  backend: string;
  options: Record<string, string | number | boolean>;
  machine: { cpus: number; cpuModel: string; memoryGb: number; platform: string };
  versions: Record<string, string>;
  days: { day: string; next: string; historyFrom: string; historyTo: string };
  render: { seconds: number | null; cacheHit: boolean; files: number; dir: string };
  stages: StageResult[];
  floors: FloorResult[];
  /** The pages timed after the last stage; absent in runs from before the pages existed. */
  pages?: PageFigure[];
  /** What the reader needs to know about how the stages ran. */
  notes: string[];
  /** Loud problems: misses, failures, a rerun that wrote. Empty when the run is valid. */
  problems: string[];
  /**
   * Why the run ended before its last stage (a signal, a stage that threw), if it did. Its
   * figures are of part of a run, so it is never saved (see saveRun).
   */
  stopped?: string;
}

const fmt = {
  s: (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)),
  n: (n: number) => Math.round(n).toLocaleString("en-US"),
  mb: (n: number) => (n / 1024 / 1024).toFixed(1),
  ms: (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1)),
};

/** A stage's time over its floor's ("1.8x"), or "" without one. */
export function ratio(stage: StageResult, floors: readonly FloorResult[]): string {
  const floor = floors.find((f) => f.key === stage.floor);
  if (!floor || floor.seconds <= 0) return "";
  return `${(stage.seconds / floor.seconds).toFixed(2)}x`;
}

export function markdownTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function stagesTable(report: BenchReport): string {
  return markdownTable(
    [
      "stage",
      "seconds",
      "rows",
      "rows/s",
      "peak RSS MB",
      "requests",
      "MB read",
      "floor s",
      "vs floor",
    ],
    report.stages.map((s) => {
      const floor = report.floors.find((f) => f.key === s.floor);
      return [
        s.label,
        fmt.s(s.seconds),
        fmt.n(s.rows),
        fmt.n(s.rowsPerSecond),
        s.peakRssMb.toFixed(0),
        fmt.n(s.requests),
        fmt.mb(s.bytes),
        floor ? fmt.s(floor.seconds) : "",
        ratio(s, report.floors),
      ];
    }),
  );
}

export function floorsTable(report: BenchReport): string {
  return markdownTable(
    ["floor", "files", "MB", "download s", "parse s (rows)", "COPY s (rows)", "total s"],
    report.floors.map((f) => [
      f.label,
      fmt.n(f.files),
      fmt.mb(f.bytes),
      f.key === "history" ? "-" : fmt.s(f.downloadSeconds),
      f.key === "history" ? "-" : `${fmt.s(f.parseSeconds)} (${fmt.n(f.parsedRows)})`,
      `${fmt.s(f.copySeconds)} (${fmt.n(f.copyRows)})`,
      fmt.s(f.seconds),
    ]),
  );
}

/** Why a page fails the issue's bound: a status other than 200, a slow request; else null. */
export function pageVerdict(page: PageFigure, targetMs = PAGE_TARGET_MS): string | null {
  if (page.error) return page.error;
  if (page.status !== 200) return `status ${page.status}`;
  if (page.maxMs > targetMs) {
    return `${page.maxMs.toFixed(1)} ms at worst, over the ${targetMs} ms target`;
  }
  return null;
}

/** The run's problems from its pages: one line per page that fails the bound. */
export function pageProblems(pages: readonly PageFigure[], targetMs = PAGE_TARGET_MS): string[] {
  return pages.flatMap((page) => {
    const why = pageVerdict(page, targetMs);
    return why === null ? [] : [`page ${page.path}: ${why}`];
  });
}

export function pagesTable(pages: readonly PageFigure[], targetMs = PAGE_TARGET_MS): string {
  return markdownTable(
    ["page", "status", "KB", "first ms", "median ms", "max ms", `<= ${targetMs} ms`],
    pages.map((p) => {
      const why = pageVerdict(p, targetMs);
      return [
        p.path,
        String(p.status),
        (p.bytes / 1024).toFixed(1),
        fmt.ms(p.firstMs),
        fmt.ms(p.medianMs),
        fmt.ms(p.maxMs),
        why === null ? "ok" : `NO: ${why}`,
      ];
    }),
  );
}

/** The pages' heading, table and verdict, or nothing for a run without pages. */
function pagesSection(report: BenchReport): string[] {
  const pages = report.pages;
  if (!pages?.length) return [];
  const failing = pages.filter((p) => pageVerdict(p) !== null).length;
  const requests = Math.max(...pages.map((p) => p.requests));
  return [
    `Pages (server-side ms: \`app.request\` in process on the finished store, routing + queries + rendering; median and max of ${requests} requests after a first one; target ${PAGE_TARGET_MS} ms):`,
    "",
    pagesTable(pages),
    "",
    failing === 0
      ? `Pages: all ${pages.length} within ${PAGE_TARGET_MS} ms.`
      : `Pages: ${failing} of ${pages.length} NOT within ${PAGE_TARGET_MS} ms or not 200.`,
    "",
  ];
}

/** Cold day over steady day, the issue's "cold <= 2x steady" figure. */
function coldOverSteady(report: BenchReport): string | null {
  const cold = report.stages.find((s) => s.key === "cold");
  const steady = report.stages.find((s) => s.key === "steady");
  if (!cold || !steady || steady.seconds <= 0) return null;
  return `${(cold.seconds / steady.seconds).toFixed(2)}x`;
}

/** The run as markdown: a heading, what ran where, both tables and any problem. */
export function runMarkdown(report: BenchReport, jsonPath?: string): string {
  const o = report.options;
  const v = report.versions;
  const m = report.machine;
  const lines = [
    `### ${report.date} · ${report.backend} · ${fmt.n(Number(o.tickers))} tickers · ${o.years} year(s)`,
    "",
    `- machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb.toFixed(1)} GB, ${m.platform}`,
    `- versions: ${Object.entries(v)
      .map(([k, value]) => `${k} ${value}`)
      .join(", ")}`,
    `- options: ${Object.entries(o)
      .map(([k, value]) => `--${k} ${value}`)
      .join(" ")}`,
    `- days: cold ${report.days.day}, steady ${report.days.next}; prices ${report.days.historyFrom}..${report.days.historyTo}`,
    `- render: ${
      report.render.cacheHit
        ? `cache hit (${fmt.n(report.render.files)} files; rendered in ${
            report.render.seconds === null ? "?" : fmt.s(report.render.seconds)
          } s when made)`
        : `${fmt.s(report.render.seconds ?? 0)} s (${fmt.n(report.render.files)} files)`
    }`,
    "",
    stagesTable(report),
    "",
    floorsTable(report),
    "",
  ];
  const cold = coldOverSteady(report);
  if (cold) lines.push(`Cold day / steady day: ${cold}.`, "");
  lines.push(...pagesSection(report));
  const notes = [
    ...report.notes,
    ...[...report.stages, ...report.floors]
      .filter((x) => x.note)
      .map((x) => `${x.label}: ${x.note}`),
  ];
  for (const note of notes) lines.push(`- ${note}`);
  if (notes.length) lines.push("");
  if (report.problems.length) {
    lines.push("**INVALID RUN**:", ...report.problems.map((p) => `- ${p}`), "");
  }
  if (report.stopped) lines.push(`**STOPPED, NOT RECORDED**: ${report.stopped}`, "");
  if (jsonPath) lines.push(`Per-asset figures: \`${jsonPath}\`.`, "");
  return lines.join("\n");
}

export const SECTION_BEGIN = "<!-- bench:market:begin -->";
export const SECTION_END = "<!-- bench:market:end -->";

const HEADER = `# Benchmarks

Figures the benchmarks print, kept over time. Each section belongs to one benchmark, which
adds its runs there itself (newest first).
`;

const SECTION_INTRO = `## bench:market

The whole market's day on files rendered once and served by a separate static process
(\`npm run bench:market -- --tickers 45000 --years 5 --backend postgres\`; see
bench/market.ts). Each stage's time is compared with the floor measured in the same run:
downloading and parsing the files the stage read, and COPY of the rows it wrote.
`;

/** BENCHMARKS.md with `run` added at the top of bench:market's section (created if absent). */
export function withRun(existing: string | null, run: string): string {
  const text = existing ?? HEADER;
  const begin = text.indexOf(SECTION_BEGIN);
  const end = text.indexOf(SECTION_END);
  if (begin !== -1 && end > begin) {
    const at = begin + SECTION_BEGIN.length;
    return `${text.slice(0, at)}\n\n${run.trimEnd()}\n${text.slice(at)}`;
  }
  const base = text.endsWith("\n") ? text : `${text}\n`;
  return `${base}\n${SECTION_INTRO}\n${SECTION_BEGIN}\n\n${run.trimEnd()}\n\n${SECTION_END}\n`;
}

function updateBenchmarksFile(path: string, run: string): void {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
  writeFileSync(path, withRun(existing, run));
}

/**
 * Writes the run under `root`: its JSON file at `jsonPath` and its markdown at the top of
 * BENCHMARKS.md's section. A run that stopped early writes neither and returns false; a
 * finished run with problems is written, marked INVALID by its markdown.
 */
/**
 * Where a run's JSON goes: bench/results/<date>-<backend>-<tickers>t-<years>y.json, with
 * -2, -3, ... when that name is taken, so a second run of a day never overwrites the file an
 * older BENCHMARKS.md entry points at.
 */
export function resultsPath(root: string, report: BenchReport): string {
  const { date, backend, options } = report;
  const base = `bench/results/${date}-${backend}-${options.tickers}t-${options.years}y`;
  let path = `${base}.json`;
  for (let n = 2; existsSync(join(root, path)); n++) path = `${base}-${n}.json`;
  return path;
}

export function saveRun(
  root: string,
  jsonPath: string,
  report: BenchReport,
  markdown: string,
): boolean {
  if (report.stopped) return false;
  mkdirSync(dirname(join(root, jsonPath)), { recursive: true });
  writeFileSync(join(root, jsonPath), `${JSON.stringify(report, null, 2)}\n`);
  updateBenchmarksFile(join(root, "BENCHMARKS.md"), markdown);
  return true;
}
