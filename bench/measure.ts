/** Timing and peak-memory sampling for benchmark stages (figures are printed, never asserted). */

export interface StageFigures {
  stage: string;
  backend: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
}

/** Runs `fn`, sampling RSS every 50 ms; returns its figures. */
export async function measure(
  stage: string,
  backend: string,
  fn: () => Promise<number>,
): Promise<StageFigures> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  try {
    const rows = await fn();
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      stage,
      backend,
      rows,
      seconds,
      rowsPerSecond: seconds > 0 ? rows / seconds : 0,
      peakRssMb: peak / 1024 / 1024,
    };
  } finally {
    clearInterval(timer);
  }
}

export function printFigures(figures: StageFigures[]): void {
  const rows = figures.map((f) => [
    f.backend,
    f.stage,
    String(f.rows),
    f.seconds.toFixed(1),
    Math.round(f.rowsPerSecond).toString(),
    f.peakRssMb.toFixed(0),
  ]);
  const headers = ["backend", "stage", "rows", "seconds", "rows/s", "peak RSS MB"];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(format(headers));
  console.log(format(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(format(r));
}

/** Samples this process's RSS every 50 ms until stopped; `peakMb` is the highest seen. */
export function sampleRss(): { peakMb(): number; stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  timer.unref();
  return {
    peakMb: () => Math.max(peak, process.memoryUsage().rss) / 1024 / 1024,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return peak / 1024 / 1024;
    },
  };
}
