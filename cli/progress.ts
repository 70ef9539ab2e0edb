/**
 * Terminal output of runs, the CLI's alone: on a terminal a line per asset as it starts and
 * ends with a bar for each asset reporting chunked work, and one bar for a backfill's
 * dates; elsewhere (CI, pipes) plain lines. Both draw with cli-progress.
 */
import { MultiBar, Presets, SingleBar } from "cli-progress";
import type { BackfillProgress, DayOutcome } from "../runtime/backfill.ts";
import {
  type AssetOutcome,
  type OutcomeStatus,
  type RunReporter,
  silentReporter,
} from "../runtime/progress.ts";

const SYMBOL: Record<OutcomeStatus, string> = {
  succeeded: "✓",
  fresh: "=",
  waiting: "…",
  blocked: "⊘",
  failed: "✗",
};

function describeOutcome(o: AssetOutcome): string {
  const rows = o.rows === null ? "" : ` ${o.rows} rows`;
  const reason = o.status === "succeeded" ? "" : ` (${o.reason})`;
  return `${SYMBOL[o.status]} ${o.asset} ${o.status}${rows} in ${o.seconds.toFixed(1)}s${reason}`;
}

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

/** A bar with an ETA on a terminal (problems listed after it); elsewhere a line per tenth of the dates and per problem. */
export function backfillProgress(stream: NodeJS.WriteStream): BackfillProgress {
  const describe = (d: DayOutcome) =>
    `${d.partition} ${d.status}${d.rows ? ` ${d.rows} rows` : ""}${d.note && d.status !== "fresh" ? ` (${d.note})` : ""}`;
  const notable = (d: DayOutcome) => d.status !== "done" && d.status !== "fresh";
  if (!stream.isTTY) {
    let total = 0;
    let seen = 0;
    return {
      start: (days) => {
        total = days;
      },
      day: (d) => {
        seen += 1;
        if (notable(d)) stream.write(`${describe(d)}\n`);
        else if (seen === total || seen % Math.max(1, Math.ceil(total / 10)) === 0) {
          stream.write(`backfill ${seen}/${total} dates (${d.partition})\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: " backfill {bar} {value}/{total} dates | {partition} | eta {eta_formatted}",
    hideCursor: true,
    etaBuffer: 20,
  });
  // Lines written under a live bar leave torn copies of it: hold them until it stops.
  const held: string[] = [];
  return {
    start: (days) => bar.start(days, 0, { partition: "" }),
    day: (d) => {
      if (notable(d)) held.push(describe(d));
      bar.increment(1, { partition: d.partition });
    },
    stop: () => {
      bar.stop();
      for (const line of held) stream.write(`${line}\n`);
    },
  };
}
