/**
 * The step plumbing datos_performance and performance_windows share after their plan step:
 * one durable step per planned chunk of tickers, ids "chunk-1-of-N" (Inngest matches a
 * replayed run's steps by id), each staging its rows and returning counts only; the counts
 * added up; then the "publish" step, which makes the staged rows the table's and removes the
 * rows of the day (a scoped run: of its tickers) the run did not write (runtime/staged.ts).
 */
import type { TableSpec, Where } from "../../db/index.ts";
import type { AssetContext } from "../../runtime/define.ts";
import { publishStaged } from "../../runtime/staged.ts";

interface StagedChunks<Chunk, Counts extends { written: number }, Row extends object> {
  /** The plan step's chunks. */
  chunks: readonly Chunk[];
  /** The run's tickers when scoped, else null; read inside each step, since code outside replays. */
  scopedTickers: (ctx: AssetContext<string>) => Promise<string[] | null>;
  /** Computes and stages one chunk's rows; returns counts only. */
  stage: (chunk: Chunk, scoped: string[] | null) => Promise<Counts>;
  add: (total: Counts, part: Counts) => Counts;
  table: TableSpec<Row>;
  /** The table's column holding the partition's day. */
  dayColumn: keyof Row & string;
}

/** Runs the chunk steps and the publish step; null totals when there was no chunk. */
export async function stageChunks<Chunk, Counts extends { written: number }, Row extends object>(
  ctx: AssetContext<string>,
  run: StagedChunks<Chunk, Counts, Row>,
): Promise<{ totals: Counts | null; pruned: number }> {
  const { chunks } = run;
  ctx.progress.total(chunks.length);
  let totals: Counts | null = null;
  for (const [i, chunk] of chunks.entries()) {
    const counts = await ctx.step(`chunk-${i + 1}-of-${chunks.length}`, async () =>
      run.stage(chunk, await run.scopedTickers(ctx)),
    );
    totals = totals ? run.add(totals, counts) : counts;
    ctx.progress.advance();
  }
  const { removed: pruned } = await publishStaged(
    ctx,
    run.table,
    totals?.written ?? 0,
    async () => {
      const scoped = await run.scopedTickers(ctx);
      return {
        [run.dayColumn]: ctx.partition,
        ...(scoped ? { ticker: { in: scoped } } : {}),
      } as Where<Row>;
    },
  );
  return { totals, pruned };
}
