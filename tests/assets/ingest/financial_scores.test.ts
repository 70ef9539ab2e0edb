/** financial_scores on the sandbox: today's scores for active equities; past partitions refused. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import financialScores, {
  financialScoresTable,
  scoresRow,
} from "../../../assets/financial_scores.ts";
import fintraUniverse, { universeTable } from "../../../assets/fintra_universe.ts";
import type { Store } from "../../../db/index.ts";
import type { ScoresRow } from "../../../sources/fmp/index.ts";
import {
  marketResources,
  runAssets,
  startTestMarket,
  type TestMarket,
} from "../../helpers/sandbox.ts";
import { openTestStore } from "../../helpers/store.ts";

let store: Store;
let market: TestMarket;
beforeAll(async () => {
  store = await openTestStore();
  market = await startTestMarket({ tickers: 60, asOf: "2026-11-27" });
});
afterAll(async () => {
  await market.close();
  await store.close();
});

describe("financial_scores", () => {
  it("stores today's Altman Z and Piotroski F for the active equities", async () => {
    const summary = await runAssets(
      [fintraUniverse, financialScores],
      "*",
      marketResources(store, market),
      {
        partition: "2026-11-27",
      },
    );
    expect(summary.exitCode).toBe(0);
    const scores = await store.readAll(financialScoresTable, {
      where: { score_date: "2026-11-27" },
    });
    const equities = await store.readAll(universeTable, {
      where: { is_active: true, instrument_type: "EQUITY" },
    });
    expect(scores.length).toBeGreaterThan(equities.length / 2);
    expect(scores.every((s) => equities.some((e) => e.ticker === s.ticker))).toBe(true);
    expect(scores.some((s) => s.altman_z !== null && s.piotroski_score !== null)).toBe(true);
  });

  it("writes nothing for a past partition rather than leak later scores", async () => {
    const summary = await runAssets(
      [fintraUniverse, financialScores],
      "financial_scores",
      marketResources(store, market),
      {
        partition: "2026-11-25",
      },
    );
    expect(summary.outcomes[0]).toMatchObject({ status: "succeeded", rows: 0 });
    expect(
      await store.readAll(financialScoresTable, { where: { score_date: "2026-11-25" } }),
    ).toEqual([]);
  });

  it("drops a Piotroski score outside 0-9", () => {
    const row = { symbol: "aaa", altmanZScore: 2.5, piotroskiScore: 12 } as ScoresRow;
    expect(scoresRow(row, "2026-11-27")).toMatchObject({
      ticker: "AAA",
      altman_z: 2.5,
      piotroski_score: null,
    });
  });
});
