/**
 * How the two weekly SEC jobs run, and the checks on what they count.
 *
 * - A run lists the window's filings in one step ("list-filings": the plan, documents.ts),
 *   then reads the documents due in batch steps (`${batchStep}-${index}`: Inngest matches a
 *   replayed run's steps by id, so the ids never change).
 * - Each batch step counts what it did in a tally (`DocumentTally` and the job's own
 *   figures); the tallies add up to the run's metadata, which the checks below read. A reread
 *   by updated_at could not tell this run's rows from an earlier run's under a fixed clock,
 *   as in tests and backfills.
 */
import pLimit from "p-limit";
import { skippedRowsWithin } from "../../runtime/checks.ts";
import type {
  AssetCheck,
  AssetContext,
  CheckContext,
  MaterializeResult,
} from "../../runtime/define.ts";
import { type FilingRef, type FilingWindow, filingWindow } from "../../sources/sec/index.ts";
import { CONCURRENT_DOCUMENTS, documentBatches, type FilingPlan } from "./documents.ts";

/** Failures and late rows a tally keeps as samples. */
const MAX_SAMPLES = 5;

/** What every batch step of either job counts. */
export interface DocumentTally {
  fetched: number;
  written: number;
  failed: number;
  retries: number;
  bytes: number;
  failures: string[];
  datedAfterRunDay: number;
  lateSamples: string[];
}

/** A tally's figures: counts, samples and per-key counts (what `addTally` knows how to add). */
type TallyFigure = number | string[] | Record<string, number>;
type TallyFigures<T> = { [K in keyof T]: TallyFigure };

/**
 * Fetches each document (CONCURRENT_DOCUMENTS at once) and hands its text to `read`. A
 * fetch, or a `read`, that throws counts as a failed document, not a failed batch.
 */
export async function fetchDocuments(
  ctx: Pick<AssetContext, "sec">,
  refs: readonly FilingRef[],
  tally: DocumentTally,
  read: (ref: FilingRef, text: string) => void,
): Promise<void> {
  const client = ctx.sec();
  const limit = pLimit(CONCURRENT_DOCUMENTS);
  await Promise.all(
    refs.map((ref) =>
      limit(async () => {
        try {
          const document = await client.fetchDocument(ref.url);
          tally.fetched++;
          tally.retries += document.attempts - 1;
          tally.bytes += document.bytes;
          read(ref, document.text);
        } catch (error) {
          tally.failed++;
          if (tally.failures.length < MAX_SAMPLES) tally.failures.push(messageOf(error));
        }
      }),
    ),
  );
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/** Counts rows dated after the run's day, keeping a few samples for the check. */
export function countLate<Row>(
  tally: DocumentTally,
  late: readonly Row[],
  sample: (row: Row) => string,
): void {
  for (const row of late) {
    tally.datedAfterRunDay++;
    if (tally.lateSamples.length < MAX_SAMPLES) tally.lateSamples.push(sample(row));
  }
}

/** Adds a batch's tally to the run's: counts add, per-key counts add by key, samples fill up. */
function addTally<T extends DocumentTally & TallyFigures<T>>(totals: T, part: T): void {
  const sums = totals as unknown as Record<string, TallyFigure>;
  for (const [key, value] of Object.entries(part) as [string, TallyFigure][]) {
    const total = sums[key];
    if (typeof value === "number") sums[key] = (total as number) + value;
    else if (Array.isArray(value)) {
      const samples = total as string[];
      samples.push(...value.slice(0, MAX_SAMPLES - samples.length));
    } else {
      const byKey = total as Record<string, number>;
      for (const [k, n] of Object.entries(value)) byKey[k] = (byKey[k] ?? 0) + n;
    }
  }
}

/** What differs between the two jobs' runs. */
interface DocumentJob<Tally extends DocumentTally & TallyFigures<Tally>> {
  /** The window's filings to read (the listing step's output). */
  plan: (ctx: AssetContext, window: FilingWindow) => Promise<FilingPlan>;
  /** The batch steps' id prefix. */
  batchStep: string;
  /** Reads one batch of documents and writes its rows; returns its tally. */
  readBatch: (ctx: AssetContext, refs: readonly FilingRef[], updatedAt: string) => Promise<Tally>;
  /** A tally of nothing yet: its keys, in order, are the run's metadata keys. */
  emptyTally: () => Tally;
  /** Whether the run settled documents, so a backlog may ask for another run (`more`). */
  progressed: (totals: Tally) => boolean;
}

/** A weekly job's materialize: the listing step, the batch steps, the tallies summed. */
export function materializeDocuments<Tally extends DocumentTally & TallyFigures<Tally>>(
  job: DocumentJob<Tally>,
): (ctx: AssetContext) => Promise<MaterializeResult> {
  return async (ctx) => {
    const window = filingWindow(ctx.runDate);
    const plan = await ctx.step("list-filings", () => job.plan(ctx, window));

    const { perBatch, batches } = documentBatches(ctx, plan.due);
    ctx.progress.total(plan.due.length);
    const totals = job.emptyTally();
    for (const [index, batch] of batches.entries()) {
      const result = await ctx.step(`${job.batchStep}-${index}`, () =>
        job.readBatch(ctx, batch, plan.updatedAt),
      );
      addTally(totals, result);
      ctx.progress.advance(batch.length);
    }

    const { due, ...listed } = plan;
    return {
      rows: totals.written,
      ...(plan.backlog > 0 && job.progressed(totals)
        ? { more: `${plan.backlog} documents due beyond this run's cap` }
        : {}),
      metadata: {
        window,
        ...listed,
        documentsDue: due.length,
        documentsPerStep: perBatch,
        ...totals,
      },
    };
  };
}

/** The checks of both jobs: three on the documents' tallies, one on FMP's listing. */
export function documentChecks(): AssetCheck[] {
  return [
    noSignalAfterRunDay(),
    documentsFetched(),
    someDocumentFetched(),
    // The FMP listing's rows: the documents themselves come from SEC, counted by the checks above.
    skippedRowsWithin({ figures: { read: "listed", skipped: "invalidRows" } }),
  ];
}

/** Nothing the run wrote is dated after its day: FMP was asked for filings up to it. */
export function noSignalAfterRunDay(): AssetCheck {
  return {
    name: "no_signal_after_run_day",
    severity: "error",
    description: "no signal written by the run is dated after the run's day",
    async run(ctx: CheckContext) {
      const meta = ctx.result.metadata ?? {};
      const late = Number(meta.datedAfterRunDay ?? 0);
      const samples = Array.isArray(meta.lateSamples) ? meta.lateSamples.join(", ") : "";
      return {
        passed: late === 0,
        value: late,
        message:
          late === 0
            ? `no signal dated after ${ctx.runDate}`
            : `${late} rows dated after ${ctx.runDate}: ${samples}`,
      };
    },
  };
}

/** Documents that could not be fetched: a warning. */
export function documentsFetched(): AssetCheck {
  return {
    name: "documents_fetched",
    severity: "warn",
    description: "the filing documents listed could be fetched",
    async run(ctx: CheckContext) {
      const { fetched, failed, meta } = fetchFigures(ctx);
      const sample = Array.isArray(meta.failures) ? String(meta.failures[0] ?? "") : "";
      if (failed === 0) return { passed: true, value: 0, message: `${fetched} documents fetched` };
      return {
        passed: false,
        value: failed,
        message: `${failed} of ${failed + fetched} documents failed${sample ? `, e.g. ${sample}` : ""}`,
      };
    },
  };
}

/** Every listed document failed: the source is refusing us, not one filing being odd. */
export function someDocumentFetched(): AssetCheck {
  return {
    name: "some_document_fetched",
    severity: "error",
    description: "when documents were due, at least one was fetched",
    async run(ctx: CheckContext) {
      const { fetched, failed, meta } = fetchFigures(ctx);
      const passed = failed === 0 || fetched > 0;
      return {
        passed,
        value: fetched,
        message: passed
          ? `${fetched} documents fetched`
          : `all ${failed} documents failed: ${String((meta.failures as string[] | undefined)?.[0] ?? "")}`,
      };
    },
  };
}

function fetchFigures(ctx: CheckContext) {
  const meta = ctx.result.metadata ?? {};
  return { fetched: Number(meta.fetched ?? 0), failed: Number(meta.failed ?? 0), meta };
}
