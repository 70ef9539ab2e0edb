/**
 * The one progress reporter. On a terminal: a line per asset as it starts and
 * ends, and a bar for each running asset that reports chunked work. Elsewhere
 * (CI, pipes, tests): plain lines, or nothing.
 */
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { Progress } from "./define.ts";

export type OutcomeStatus = "succeeded" | "failed" | "waiting" | "fresh" | "blocked";

export interface AssetOutcome {
  asset: string;
  status: OutcomeStatus;
  /** Why: the gate's reason, the error, or the failed upstream. */
  reason: string;
  rows: number | null;
  seconds: number;
  materializationId: string | null;
  /** The error's class name when the asset failed (e.g. NoTradingError). */
  errorName?: string;
}

export interface RunReporter {
  started(asset: string): void;
  progress(asset: string): Progress;
  finished(outcome: AssetOutcome): void;
  close(): void;
}

const SYMBOL: Record<OutcomeStatus, string> = {
  succeeded: "✓",
  fresh: "=",
  waiting: "…",
  blocked: "⊘",
  failed: "✗",
};

export function describeOutcome(o: AssetOutcome): string {
  const rows = o.rows === null ? "" : ` ${o.rows} rows`;
  const reason = o.status === "succeeded" ? "" : ` (${o.reason})`;
  return `${SYMBOL[o.status]} ${o.asset} ${o.status}${rows} in ${o.seconds.toFixed(1)}s${reason}`;
}

const noProgress: Progress = { total() {}, advance() {} };

/** Reports nothing (tests, library use). */
export const silentReporter: RunReporter = {
  started() {},
  progress: () => noProgress,
  finished() {},
  close() {},
};

/** One plain line per finished asset (non-interactive output). */
export function lineReporter(write: (line: string) => void): RunReporter {
  return { ...silentReporter, finished: (o) => write(describeOutcome(o)) };
}

/** Bars on a TTY stream; falls back to lines when the stream is not a terminal. */
export function terminalReporter(stream: NodeJS.WriteStream = process.stderr): RunReporter {
  if (!stream.isTTY) return lineReporter((line) => stream.write(`${line}\n`));
  const multibar = new MultiBar(
    {
      stream,
      format: " {bar} {percentage}% | {asset} | {value}/{total} | eta {eta_formatted}",
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  return {
    started(asset) {
      multibar.log(`▶ ${asset}\n`);
    },
    progress(asset) {
      return {
        total(units) {
          const bar = bars.get(asset);
          if (bar) {
            // A new round of the same asset (a continued backlog) starts its bar again.
            bar.setTotal(units);
            bar.update(0);
          } else bars.set(asset, multibar.create(units, 0, { asset }));
        },
        advance(units = 1) {
          bars.get(asset)?.increment(units);
        },
      };
    },
    finished(outcome) {
      const bar = bars.get(outcome.asset);
      if (bar) {
        multibar.remove(bar);
        bars.delete(outcome.asset);
      }
      multibar.log(`${describeOutcome(outcome)}\n`);
    },
    close() {
      // Log lines wait for the next redraw; draw once more so the last ones are not lost.
      multibar.update();
      multibar.stop();
    },
  };
}
