/**
 * The compiled column plan gives exactly the rows, skips and counts the zod schemas gave:
 * on the real FMP files and on every sandbox CSV endpoint, clean and damaged.
 *
 * Two checks. Row by row, the client's validator against the zod reference (helpers/
 * zod-rows.ts): same rows (values, nulls, key order), same skip reasons, same non-finite
 * counts. And end to end through the client, a digest of each file's rows and report,
 * stored in expected/ from the zod path before the plan replaced it (regenerate with
 * `npx vitest run tests/sources/fmp/row-plan.test.ts -u` only when a change of output is
 * intended).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  BAD_CELL,
  bool,
  type CellConverter,
  type CellKind,
  date,
  dateTime,
  int,
  list,
  looseCount,
  NON_FINITE_CELL,
  num,
  oneOf,
  requiredDate,
  requiredInt,
  requiredText,
  tallyingNonFinite,
  text,
} from "../../../sources/fmp/cells.ts";
import { CsvSplitter } from "../../../sources/fmp/csv-splitter.ts";
import { type CsvEndpoint, defineCsvEndpoint, noParams } from "../../../sources/fmp/endpoint.ts";
import { createFmpClient, PERIODS } from "../../../sources/fmp/index.ts";
import { type RowResult, RowValidator } from "../../../sources/fmp/rows.ts";
import { fakeFetch } from "./helpers/fake-fetch.ts";
import { haveFixtures } from "./helpers/fixtures.ts";
import { type CorpusFile, fixtureCorpus, sandboxCorpus, TRICKY } from "./helpers/row-corpus.ts";
import { ZodRows } from "./helpers/zod-rows.ts";

const KINDS: Record<string, CellKind<unknown>> = {
  num,
  int,
  requiredInt,
  looseCount,
  text,
  requiredText,
  date,
  requiredDate,
  dateTime,
  bool,
  list,
  period: oneOf(PERIODS),
};

const CELLS = [
  undefined,
  ...TRICKY,
  "constructor",
  "__proto__",
  "2026",
  "2026.0",
  "-3",
  "1.5e3",
  "0.1e1",
  "1e-400",
  "12.5",
  "true ",
  "Q4",
  ",,",
  " MSFT , GOOGL ",
];

describe("each cell kind's converter against its zod schema", () => {
  it.each(Object.entries(KINDS))("%s", (_, kind) => {
    const convert = kind.convert as CellConverter<unknown>;
    for (const cell of CELLS) {
      const counted: Record<string, number> = {};
      const expected = tallyingNonFinite(counted, () => kind("c").safeParse(cell));
      const got = convert(cell);
      const where = `${JSON.stringify(cell)}: ${String(got)}`;
      expect(got === BAD_CELL, where).toBe(!expected.success);
      if (!expected.success) continue;
      if (got === NON_FINITE_CELL) {
        expect(expected.data, where).toBeNull();
        expect(counted, where).toEqual({ c: 1 });
      } else {
        expect(got, where).toStrictEqual(expected.data);
        if (typeof got === "number") expect(Object.is(got, expected.data), where).toBe(true);
        expect(counted, where).toEqual({});
      }
    }
  });
});

const fixtures = fixtureCorpus();
const sandbox = sandboxCorpus();

function split(body: string): { rows: string[][]; quoteErrors: Set<number> } {
  const splitter = new CsvSplitter();
  const rows: string[][] = [];
  const quoteErrors = new Set<number>();
  for (const part of [splitter.push(body), splitter.end()]) {
    for (const index of part.quoteErrors.keys()) quoteErrors.add(rows.length + index);
    rows.push(...part.rows);
  }
  return { rows, quoteErrors };
}

function compareWithZod(file: CorpusFile): { kept: number; skipped: number } {
  const { rows, quoteErrors } = split(file.body);
  const [header, ...data] = rows;
  if (!header) throw new Error(`${file.name}: no header`);
  const nonFinite: Record<string, number> = {};
  const plan = new RowValidator(file.endpoint, header, file.name, nonFinite);
  const zod = new ZodRows(file.endpoint, header);
  let kept = 0;
  let skipped = 0;
  data.forEach((fields, index) => {
    if (quoteErrors.has(index + 1)) return;
    const expected = zod.validate(fields);
    const got = plan.validate(fields);
    // expect() only on a difference: it is slow, and there are ~40,000 rows.
    if (!same(got, expected)) expect(got, `${file.name} row ${index + 1}`).toStrictEqual(expected);
    if (got.ok) kept++;
    else skipped++;
  });
  expect(nonFinite, file.name).toEqual(zod.nonFinite);
  return { kept, skipped };
}

/** Same outcome: the same reason, or rows with the same keys in the same order and values (-0 too). */
function same(a: RowResult<unknown>, b: RowResult<unknown>): boolean {
  if (!a.ok || !b.ok) return !a.ok && !b.ok && a.reason === b.reason;
  const left = Object.entries(a.row as object);
  const right = Object.entries(b.row as object);
  return (
    left.length === right.length &&
    left.every(([key, value], i) => {
      const [otherKey, other] = right[i] as [string, unknown];
      if (key !== otherKey) return false;
      if (Array.isArray(value) && Array.isArray(other)) {
        return value.length === other.length && value.every((item, j) => item === other[j]);
      }
      return Object.is(value, other);
    })
  );
}

async function digest(file: CorpusFile): Promise<object> {
  const fake = fakeFetch(() => file.body, 4093);
  const fmp = createFmpClient({
    apiKey: "row-plan-key",
    baseUrl: "http://fmp.test/stable",
    fetch: fake.fetch,
    retries: 0,
  });
  const { rows, report } = await fmp
    .csv(file.endpoint, file.params as never, { batchSize: 333 })
    .all();
  return {
    file: file.name,
    rows: report.rows,
    skipped: report.skipped,
    samples: report.samples,
    nonFinite: report.nonFinite,
    missingColumns: report.missingColumns,
    unreadColumns: report.unreadColumns,
    sha256: createHash("sha256").update(JSON.stringify(rows)).digest("hex"),
  };
}

describe("the column plan against the zod schemas, row by row", () => {
  it.each(sandbox.map((file) => [file.name, file] as const))("sandbox %s", (_, file) => {
    const { kept, skipped } = compareWithZod(file);
    expect(kept).toBeGreaterThan(100);
    if (file.name.endsWith("damaged")) expect(skipped).toBeGreaterThan(10);
  });

  it.skipIf(!haveFixtures).each(fixtures.map((file) => [file.name, file] as const))(
    "fixture %s",
    (_, file) => {
      expect(compareWithZod(file).kept).toBeGreaterThan(1000);
    },
  );
});

describe("end to end through the client, against digests stored from the zod path", () => {
  it("sandbox files", async () => {
    const digests = [];
    for (const file of sandbox) digests.push(await digest(file));
    await expect(`${JSON.stringify(digests, null, 2)}\n`).toMatchFileSnapshot(
      "./expected/row-plan-sandbox.json",
    );
  });

  it.skipIf(!haveFixtures)("real FMP files", async () => {
    const digests = [];
    for (const file of fixtures) digests.push(await digest(file));
    await expect(`${JSON.stringify(digests, null, 2)}\n`).toMatchFileSnapshot(
      "./expected/row-plan-fixtures.json",
    );
  });
});

describe("endpoints the plan cannot compile fully", () => {
  const header = ["symbol", "name", "close"];
  const upper: CellKind<string | null> = () =>
    z
      .string()
      .optional()
      .transform((s) => (s ? s.toUpperCase() : null));
  const endpoint = defineCsvEndpoint({
    name: "test-bulk",
    params: noParams,
    plan: "test",
    columns: { symbol: requiredText, name: upper, close: num },
    required: ["symbol"],
  }) as CsvEndpoint<unknown, unknown>;

  it("a cell kind with only a schema is converted by its schema, cell by cell", () => {
    const nonFinite: Record<string, number> = {};
    const plan = new RowValidator(endpoint, header, "test-bulk", nonFinite);
    expect(plan.validate(["AAA", "acme", "Infinity"])).toEqual({
      ok: true,
      row: { symbol: "AAA", name: "ACME", close: null },
    });
    expect(plan.validate(["BBB", "", "x1"])).toEqual({
      ok: false,
      reason: 'close: not a number: "x1"',
    });
    expect(nonFinite).toEqual({ close: 1 });
  });

  it("columns without converters (a hand-made endpoint) are read by the row schema", () => {
    const bare = {
      ...endpoint,
      columns: endpoint.columns.map(({ convert: _, ...column }) => column),
    };
    const nonFinite: Record<string, number> = {};
    const plan = new RowValidator(bare, header, "test-bulk", nonFinite);
    expect(plan.validate([" CCC ", "x", "NaN"])).toEqual({
      ok: true,
      row: { symbol: "CCC", name: "X", close: null },
    });
    expect(plan.validate(["", "x", "1"])).toEqual({ ok: false, reason: "symbol: missing" });
    expect(nonFinite).toEqual({ close: 1 });
  });
});
