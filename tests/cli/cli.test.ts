/** The `fintra` CLI driven from the outside: arguments in, output and exit codes out. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliHarness, type CliResult } from "../helpers/cli.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const NOW = new Date("2026-11-28T12:00:00Z");

describe("fintra CLI: bad input", () => {
  const cli = new CliHarness(createTestGraph().graph, NOW);
  afterAll(() => cli.cleanup());

  it.each([
    [
      ["materialize", "valuaton"],
      'error: unknown asset "valuation"'.replace("valuation", "valuaton"),
    ],
    [["materialize", "prices,,snapshot"], "error: empty selection term"],
    [["materialize", "prices*"], "error: malformed selection"],
    [["materialize", "*", "--date", "2026-13-01"], 'error: bad date "2026-13-01"'],
    [["materialize", "*", "--date", "2026-11-28"], "error: 2026-11-28 is a Saturday"],
    [["materialize", "*", "--date", "2027-01-04"], "is in the future"],
    [["materialize", "*", "--limit", "-3"], "error: --limit must be a positive whole number"],
    [["materialize", "*", "--limit", "0"], "error: --limit must be a positive whole number"],
    [["materialize", "*", "--ticker", "AA PL"], 'error: --ticker: bad ticker "AA PL"'],
    [
      ["materialize", "*", "--limit", "99999999999999999999"],
      "error: --limit must be a positive whole number",
    ],
    [["materialize", "*", "--bogus"], "error: unknown option '--bogus'"],
    [["graph", "--format", "svg"], "error: --format must be text or mermaid"],
  ])("%j fails with one line and exit 2, writing nothing", async (argv, message) => {
    const result = await cli.run(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(cli.databaseExists()).toBe(false);
  });

  it.each([101, 5000])(
    "refuses %i tickers in --ticker (the ledger's index holds 100) with one line and exit 2",
    async (count) => {
      const tickers = Array.from({ length: count }, (_, i) => `T${i}`).join(",");
      const result = await cli.run("materialize", "*", "--ticker", tickers);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `error: --ticker: at most 100 tickers in one scope (got ${count})\n`,
      );
      expect(cli.databaseExists()).toBe(false);
    },
  );

  it("suggests close matches for an unknown asset", async () => {
    const result = await cli.run("materialize", "valuaton");
    expect(result.stderr.trim()).toBe('error: unknown asset "valuaton"; did you mean valuation?');
  });
});

describe("fintra CLI: graph", () => {
  const cli = new CliHarness(createTestGraph().graph, NOW);
  afterAll(() => cli.cleanup());

  it("prints the graph as text, upstream first", async () => {
    const { code, stdout } = await cli.run("graph");
    expect(code).toBe(0);
    expect(stdout).toContain("5 assets, upstream first:");
    expect(stdout).toMatch(
      /universe\s+latest\s+\(root\)\s+cron TZ=America\/New_York 30 18 \* \* 1-5/,
    );
    expect(stdout).toMatch(/valuation\s+daily\s+<- prices, financials/);
  });

  it("prints the graph as mermaid", async () => {
    const { stdout } = await cli.run("graph", "--format", "mermaid");
    expect(stdout.split("\n")[0]).toBe("flowchart LR");
    expect(stdout).toContain("  universe([universe])");
    expect(stdout).toContain("  prices --> valuation");
    expect(stdout).toContain("  financials --> valuation");
  });
});

describe("fintra CLI: db migrate", () => {
  const cli = new CliHarness(createTestGraph().graph, NOW);
  afterAll(() => cli.cleanup());

  it("refuses to materialize before migrations are applied, then migrates once and reports it is up to date", async () => {
    const result = await cli.run("materialize", "*");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/migration\(s\) pending .* run `fintra db migrate` first/);
    const first = await cli.run("db", "migrate");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 0001_ledger.sql/);
    const second = await cli.run("db", "migrate");
    expect(second.stdout).toMatch(/already up to date/);
  }, 120_000);
});

describe("fintra CLI: materialize", () => {
  const t = createTestGraph();
  const cli = new CliHarness(t.graph, NOW);
  // The fixture: a migrated store and the whole graph materialized for the latest trading day.
  let full: CliResult;
  beforeAll(async () => {
    expect((await cli.run("db", "migrate")).code).toBe(0);
    full = await cli.run("materialize", "*");
  }, 120_000);
  afterAll(() => cli.cleanup());

  it("materializes a selection for the latest trading day and prints a summary", () => {
    expect(full.code).toBe(0);
    expect(full.stderr).toContain("materializing 5 asset(s) for 2026-11-27");
    const lines = full.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^asset\s+status\s+rows\s+seconds\s+note$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ["universe", "succeeded", "4"],
      ["prices", "succeeded", "4"],
      ["financials", "succeeded", "4"],
      ["valuation", "succeeded", "4"],
      ["snapshot", "succeeded", "4"],
    ]);
  });

  it("scopes a run to tickers and to a limit", async () => {
    const tickers = await cli.run(
      "materialize",
      "prices+",
      "--ticker",
      "aaa,bbb",
      "--date",
      "2026-11-27",
    );
    expect(tickers.code).toBe(0);
    expect(tickers.stdout).toMatch(/prices\s+succeeded\s+2/);
    const limited = await cli.run(
      "materialize",
      "financials",
      "--limit",
      "3",
      "--date",
      "2026-11-27",
    );
    expect(limited.stdout).toMatch(/financials\s+succeeded\s+3/);
  });

  it("exits 1 when an asset fails, naming it, and 3 when an asset waits", async () => {
    t.failing.add("prices");
    const failed = await cli.run("materialize", "prices+", "--date", "2026-11-24");
    t.failing.clear();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/prices\s+failed\s+\S+\s+prices exploded on purpose/);
    expect(failed.stdout).toMatch(
      /valuation\s+blocked\s+0.0\s+upstream failed in this run: prices/,
    );
    const waiting = await cli.run("materialize", "snapshot", "--date", "2026-11-25");
    expect(waiting.code).toBe(3);
    expect(waiting.stdout).toMatch(/snapshot\s+waiting\s+\S+\s+waiting for valuation, prices/);
  });
});

describe("fintra bin", () => {
  it("runs as a real process and reports bad input with exit 2", async () => {
    const exec = promisify(execFile);
    const graph = await exec("node", ["cli/bin.js", "graph"], {
      env: { ...process.env, FINTRA_PGLITE_DIR: "memory" },
    });
    expect(graph.stdout).toMatch(/assets, upstream first:/);
    const bad = await exec("node", ["cli/bin.js", "materialize", "no_such_asset"]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: unknown asset "no_such_asset"/);
  });
});

describe("fintra CLI: backfill and sql", () => {
  const t = createTestGraph();
  const cli = new CliHarness(t.graph, NOW);
  afterAll(() => cli.cleanup());

  it("backfills a range and reports it, then finds it done", async () => {
    await cli.run("db", "migrate");
    const first = await cli.run("backfill", "*", "--from", "2026-11-23", "--to", "2026-11-25");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      "3 dates: 3 done, 0 already done, 0 holidays, 0 failed, 0 waiting; 48 rows",
    );
    const second = await cli.run("backfill", "*", "--from", "2026-11-23");
    expect(second.stdout).toContain(
      "4 dates: 1 done, 3 already done, 1 holidays, 0 failed, 0 waiting",
    );
  });

  it("refuses a bad range with exit 2", async () => {
    const result = await cli.run("backfill", "*", "--from", "2026-11-27", "--to", "2026-11-20");
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("error: --from 2026-11-27 is after --to 2026-11-20");
    const missing = await cli.run("backfill", "*");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--from <YYYY-MM-DD>' not specified");
  });

  it("runs read-only SQL, statement by statement", async () => {
    await cli.run("db", "migrate");
    const result = await cli.run("sql", "SELECT 1 AS one; -- a comment\nSELECT 'a;b' AS text");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/one\n---\n1/);
    expect(result.stdout).toMatch(/text\n----\na;b/);
    const write = await cli.run("sql", "DELETE FROM test_rows");
    expect(write.code).toBe(1);
    expect(write.stderr).toMatch(/read-only transaction/);
  });
});

describe("fintra CLI: status and why", () => {
  const t = createTestGraph();
  const cli = new CliHarness(t.graph, NOW);
  afterAll(() => cli.cleanup());

  it("prints each asset's state and the gate's decisions", async () => {
    await cli.run("db", "migrate");
    // Saturday morning: Friday's run is past its deadline with the graph half done.
    const partial = await cli.run("materialize", "universe,prices");
    expect(partial.code).toBe(4);
    expect(partial.stdout).toMatch(
      /1 alert\(s\) raised:[\s\S]*deadline\s+snapshot\s+2026-11-27\s+daily_deadline/,
    );
    const status = await cli.run("status");
    expect(status.code).toBe(4);
    expect(status.stdout).toMatch(/open alerts:[\s\S]*deadline\s+snapshot\s+2026-11-27/);
    expect(status.stdout).toContain("expected day: 2026-11-27");
    expect(status.stdout).toMatch(/universe\s+fresh\s+2026-11-27\s+4/);
    expect(status.stdout).toMatch(/valuation\s+missing\s+.*never materialized/);
    await cli.run("materialize", "valuation");
    const why = await cli.run("why", "valuation", "--date", "2026-11-27");
    expect(why.stdout).toMatch(/2026-11-27\s+full\s+cli\s+wait\s+waiting for financials/);
    const bad = await cli.run("why", "valuaton");
    expect(bad.code).toBe(2);
  });
});
