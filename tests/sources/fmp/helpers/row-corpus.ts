/**
 * Bodies to compare row conversion on: the real FMP fixture files, and every CSV endpoint
 * of a small sandbox market, clean and damaged (tricky cells in every column kind, short
 * rows, a broken quote, a header with legacy, missing and unknown columns), each with the
 * endpoint and parameters that read it. Everything is deterministic, so the figures a
 * reading gives can be stored and compared across versions of the client.
 */
import { readdirSync, readFileSync } from "node:fs";
import Papa from "papaparse";
import {
  balanceSheetStatementBulk,
  type CsvEndpoint,
  cashFlowStatementBulk,
  eodBulk,
  incomeStatementBulk,
  keyMetricsTtmBulk,
  peersBulk,
  profileBulk,
  ratiosTtmBulk,
  scoresBulk,
} from "../../../../sources/fmp/index.ts";
import { createSandboxMarket, renderEndpoint } from "../../../../sources/sandbox/index.ts";
import { fixturePath, fixturesDir, haveFixtures } from "./fixtures.ts";

export interface CorpusFile {
  name: string;
  endpoint: CsvEndpoint<unknown, never>;
  /** Parameters for fmp.csv (statement year/period, EOD date; none for the others). */
  params: object;
  body: string;
}

type AnyEndpoint = CsvEndpoint<unknown, never>;
const as = (endpoint: unknown) => endpoint as AnyEndpoint;

export function fixtureCorpus(): CorpusFile[] {
  if (!haveFixtures) return [];
  const endpoints: Record<string, AnyEndpoint> = {
    income: as(incomeStatementBulk),
    balance: as(balanceSheetStatementBulk),
    cash_flow: as(cashFlowStatementBulk),
  };
  const files: CorpusFile[] = [];
  for (const file of readdirSync(fixturesDir).sort()) {
    const body = readFileSync(fixturePath(file), "utf8");
    const statement = /^(income|balance|cash_flow)_(\d{4})_(FY|Q[1-4])\.csv$/.exec(file);
    const eod = /^eod_(\d{4}-\d{2}-\d{2})\.csv$/.exec(file);
    if (statement) {
      const [, kind, year, period] = statement;
      const endpoint = endpoints[kind as string] as AnyEndpoint;
      files.push({ name: file, endpoint, params: { year: Number(year), period }, body });
    } else if (eod)
      files.push({ name: file, endpoint: as(eodBulk), params: { date: eod[1] }, body });
  }
  // Two small real files, damaged the same way as the sandbox's.
  for (const file of files.filter((f) => /^(eod_|income_1990)/.test(f.name))) {
    files.push({ ...file, name: `${file.name} damaged`, body: damage(file.body, 7) });
  }
  return files;
}

export const SANDBOX_AS_OF = "2026-06-30";

export function sandboxCorpus(): CorpusFile[] {
  const market = createSandboxMarket({
    tickers: 600,
    seed: 11,
    asOf: SANDBOX_AS_OF,
    historyYears: 2,
    profilePartSize: 1_000_000,
  });
  const day = market.latestTradingDay(SANDBOX_AS_OF);
  const sources: [string, AnyEndpoint, Record<string, string | number>][] = [
    ["income-statement-bulk", as(incomeStatementBulk), { year: 2025, period: "FY" }],
    ["balance-sheet-statement-bulk", as(balanceSheetStatementBulk), { year: 2026, period: "Q2" }],
    ["cash-flow-statement-bulk", as(cashFlowStatementBulk), { year: 2025, period: "FY" }],
    ["eod-bulk", as(eodBulk), { date: day }],
    ["ratios-ttm-bulk", as(ratiosTtmBulk), {}],
    ["key-metrics-ttm-bulk", as(keyMetricsTtmBulk), {}],
    ["scores-bulk", as(scoresBulk), {}],
    ["peers-bulk", as(peersBulk), {}],
    ["profile-bulk", as(profileBulk), {}],
  ];
  const files: CorpusFile[] = [];
  sources.forEach(([name, endpoint, params], index) => {
    const body = renderEndpoint(market, name as never, params);
    const query = name === "profile-bulk" ? {} : params;
    files.push({ name, endpoint, params: query, body });
    files.push({ name: `${name} damaged`, endpoint, params: query, body: damage(body, index) });
  });
  const ratios = files.find((file) => file.name === "ratios-ttm-bulk") as CorpusFile;
  files.push({ ...ratios, name: "ratios-ttm-bulk legacy header", body: legacyHeader(ratios) });
  const metrics = files.find((file) => file.name === "key-metrics-ttm-bulk") as CorpusFile;
  files.push({
    ...metrics,
    name: "key-metrics-ttm-bulk legacy header",
    body: legacyHeader(metrics),
  });
  return files;
}

/** Cells that probe every conversion rule (numbers, dates, booleans, text, lists). */
export const TRICKY = [
  "",
  "N/A",
  "None",
  "null",
  "Infinity",
  "-Infinity",
  "+Infinity",
  "NaN",
  "inf",
  "nan",
  "1e5",
  "-2.5E-3",
  "+.5",
  "5.",
  ".",
  "-",
  "0x10",
  " 12",
  "12 ",
  "1,000",
  "164,000",
  "00012",
  "-0",
  "1e999",
  "2.6011185e-10",
  "12345678901234567890",
  "3.0",
  "3.5",
  "abc",
  "2025-09-30",
  "2025-9-30",
  "2025-13-45",
  "2025-09-30 16:10:48",
  "2025-09-30T16:10",
  "2025-09-30 16:10:48.123",
  "true",
  "false",
  "TRUE",
  "False",
  "yes",
  "FY",
  "Q1",
  "q1",
  " SYM ",
  "  ",
  "A,B, ,C",
  'say "hi"',
];

/**
 * Every 5th row gets a tricky cell in a column that moves along; every 97th loses its last
 * field; every 89th gets a field too many; one row gets a broken quote.
 */
export function damage(body: string, salt: number): string {
  const parsed = Papa.parse<string[]>(body, { delimiter: ",", newline: "\n" });
  const [header, ...rows] = parsed.data.filter((row) => !(row.length === 1 && row[0] === ""));
  if (!header) return body;
  const lines = [toLine(header)];
  rows.forEach((row, index) => {
    const fields = [...row];
    const n = index + salt;
    if (n % 5 === 0) {
      const column = (n * 7) % fields.length;
      fields[column] = TRICKY[(n / 5) % TRICKY.length] as string;
      if (n % 3 === 0) {
        const other = (column + 1 + (n % 4)) % fields.length;
        fields[other] = TRICKY[(n * 3) % TRICKY.length] as string;
      }
      if (n % 4 === 0) fields[(column + 2) % fields.length] = "bad";
    }
    if (n % 97 === 0) fields.pop();
    if (n % 89 === 0) fields.push("extra");
    let line = toLine(fields);
    if (index === 11) line = line.replace(",", ',"br"oken"');
    lines.push(line);
  });
  return lines.join("\n");
}

/**
 * The file's header with the first legacy alias of each aliased column, one optional column
 * dropped, a legacy-only column and an unknown one added at the front.
 */
function legacyHeader(file: CorpusFile): string {
  const parsed = Papa.parse<string[]>(file.body, { delimiter: ",", newline: "\n" });
  const [header, ...rows] = parsed.data;
  if (!header) return file.body;
  const alias = new Map(
    file.endpoint.columns
      .filter((column) => column.aliases.length > 0)
      .map((column) => [column.name, column.aliases[0] as string]),
  );
  const dropped = file.endpoint.columns.find(
    (column) => !column.required && !column.legacy && column.aliases.length === 0,
  )?.name;
  const legacy = file.endpoint.columns.find((column) => column.legacy)?.name;
  const keep = header.map((name) => name !== dropped);
  const renamed = header.filter((_, i) => keep[i]).map((name) => alias.get(name) ?? name);
  const extra = ["someNewColumnTTM", ...(legacy ? [legacy] : [])];
  const lines = [toLine([...extra, ...renamed])];
  rows.forEach((row, index) => {
    if (row.length === 1 && row[0] === "") return;
    const added = extra.map((_, i) => (index % 3 === i ? "" : String((index * 13 + i) / 7)));
    lines.push(toLine([...added, ...row.filter((_, i) => keep[i])]));
  });
  return lines.join("\n");
}

function toLine(fields: readonly string[]): string {
  return fields
    .map((field) => (/[",\n\r]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field))
    .join(",");
}
