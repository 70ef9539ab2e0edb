/**
 * What a run reports as it goes: the reporter interface the executors call and the
 * outcome of each asset. Drawing it on a terminal is the CLI's (cli/progress.ts); here
 * only the silent reporter, for tests and library use.
 */
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

const noProgress: Progress = { total() {}, advance() {} };

/** Reports nothing (tests, library use). */
export const silentReporter: RunReporter = {
  started() {},
  progress: () => noProgress,
  finished() {},
  close() {},
};
