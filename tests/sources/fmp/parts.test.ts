/**
 * One part of a part-paged endpoint (`CsvOptions.part`): what an asset reads in one
 * durable step. Against the sandbox (real parts, an empty body past the last one) and the
 * fault server (404 past the end, a cut body resumed, an endpoint that ignores `part=`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createFmpClient,
  eodBulk,
  type FetchReport,
  type FmpClient,
  type FmpClientOptions,
  FmpError,
  type ProfileRow,
  profileBulk,
} from "../../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  renderEndpoint,
  type SandboxServer,
  startSandboxServer,
} from "../../../sources/sandbox/index.ts";
import { type FaultServer, type Script, startFaultServer } from "./helpers/fault-server.ts";

const KEY = "sk-SECRET-parts-4e5f6a7b";
const market = createSandboxMarket({
  tickers: 250,
  seed: 5,
  asOf: "2026-11-28",
  profilePartSize: 100,
});
const PART_0 = renderEndpoint(market, "profile-bulk", { part: 0 });
const PART_1 = renderEndpoint(market, "profile-bulk", { part: 1 });

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandboxServer({ market, port: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

let faults: FaultServer | undefined;
afterEach(async () => {
  await faults?.close();
  faults = undefined;
});

async function serve(script: Script): Promise<FaultServer> {
  faults = await startFaultServer(script);
  return faults;
}

function clientOf(baseUrl: string, options: Partial<FmpClientOptions> = {}) {
  const logs: string[] = [];
  const fmp = createFmpClient({
    apiKey: KEY,
    baseUrl,
    retries: 3,
    backoff: { minMs: 5, maxMs: 20 },
    timeoutMs: 1_000,
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    ...options,
  });
  return { fmp, logs };
}

async function readPart(
  fmp: FmpClient,
  part: number,
  part0Fingerprint?: string,
): Promise<{ symbols: string[]; report: FetchReport }> {
  const stream = fmp.csv(
    profileBulk,
    {},
    { part, batchSize: 40, ...(part0Fingerprint ? { part0Fingerprint } : {}) },
  );
  const symbols: string[] = [];
  for await (const batch of stream) for (const row of batch) symbols.push(row.symbol);
  return { symbols, report: stream.report };
}

async function failure(work: Promise<unknown> | (() => unknown)): Promise<FmpError> {
  const error = await Promise.resolve()
    .then(() => (typeof work === "function" ? work() : work))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(FmpError);
  return error as FmpError;
}

describe("reading one part (CsvOptions.part)", () => {
  it("against the sandbox: one request per part, parts 0 past the end, same rows as a whole read", async () => {
    const { fmp } = clientOf(sandbox.url);
    const symbols: string[] = [];
    const reports: FetchReport[] = [];
    let fingerprint: string | undefined;
    for (let part = 0; part < 10; part++) {
      const read = await readPart(fmp, part, fingerprint);
      reports.push(read.report);
      if (read.report.parts === 0) break;
      if (part === 0) fingerprint = read.report.fingerprint;
      symbols.push(...read.symbols);
    }
    expect(reports.map((r) => [r.parts, r.rows, r.requests, r.complete])).toEqual([
      [1, 100, 1, true],
      [1, 100, 1, true],
      [1, 50, 1, true],
      [0, 0, 1, true],
    ]);
    expect(reports[1]?.params).toEqual({ part: 1 });
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(reports[3]?.repeatsPart0).toBeUndefined();

    const whole = await fmp.csv(profileBulk, {}).all();
    expect(whole.report.parts).toBe(3);
    expect(symbols).toEqual(whole.rows.map((row: ProfileRow) => row.symbol));
    expect(symbols).toEqual(market.tickers.map((t) => t.symbol));
  });

  it("asks for that part only", async () => {
    const srv = await serve(() => ({ body: PART_1 }));
    const { fmp } = clientOf(srv.baseUrl);
    const { symbols, report } = await readPart(fmp, 1);
    expect(srv.requests.map((r) => r.query.get("part"))).toEqual(["1"]);
    expect(symbols).toHaveLength(100);
    expect(report).toMatchObject({ parts: 1, rows: 100, requests: 1, params: { part: 1 } });
  });

  it("a 404 past part 0 is no such part; a 404 or an empty body at part 0 is an error", async () => {
    const srv = await serve((request) =>
      request.query.get("part") === "0" ? { body: "" } : { status: 404, body: "Not Found" },
    );
    const { fmp } = clientOf(srv.baseUrl);
    const past = await readPart(fmp, 2);
    expect(past.symbols).toEqual([]);
    expect(past.report).toMatchObject({ parts: 0, rows: 0, requests: 1, complete: true });

    const empty = await failure(readPart(fmp, 0));
    expect(empty.kind).toBe("empty");
    expect(empty.message).toMatch(/^FMP profile-bulk part=0: empty body/);

    const srv404 = await startFaultServer(() => ({ status: 404, body: "Not Found" }));
    try {
      const error = await failure(readPart(clientOf(srv404.baseUrl).fmp, 0));
      expect(error.status).toBe(404);
    } finally {
      await srv404.close();
    }
  });

  it("a part cut mid-body is retried and resumed: every row exactly once", async () => {
    const cut = Math.floor(PART_1.length * 0.6);
    const srv = await serve((_, n) =>
      n === 1 ? { body: PART_1, cutAfter: cut, framing: "length" } : { body: PART_1 },
    );
    const { fmp, logs } = clientOf(srv.baseUrl);
    const { symbols, report } = await readPart(fmp, 1);
    expect(symbols).toEqual(market.tickers.slice(100, 200).map((t) => t.symbol));
    expect(report).toMatchObject({ parts: 1, rows: 100, requests: 2, retries: 1 });
    expect(logs.join("\n")).toMatch(/profile-bulk part=1: connection broke/);
    expect(JSON.stringify([report, logs])).not.toContain(KEY);
  });

  it("a part that repeats part 0 (the endpoint ignores part=) counts as absent", async () => {
    const srv = await serve(() => ({ body: PART_0 }));
    const { fmp, logs } = clientOf(srv.baseUrl);
    const first = await readPart(fmp, 0);
    expect(first.report.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const again = await readPart(fmp, 1, first.report.fingerprint);
    expect(again.symbols).toEqual([]);
    expect(again.report).toMatchObject({ parts: 0, rows: 0, repeatsPart0: true });
    expect(logs.join("\n")).toMatch(/profile-bulk part=1: repeats part 0.*no such part/);
    // Without part 0's fingerprint there is nothing to compare with: the part is read.
    expect((await readPart(fmp, 1)).report.parts).toBe(1);
  });

  it("samples a bad row with its part, the key scrubbed from everything", async () => {
    const lines = PART_1.split("\n");
    lines[3] = lines[3]?.replace(/^"[^"]*"/, `""`) ?? "";
    const srv = await serve(() => ({ body: lines.join("\n") }));
    const { fmp, logs } = clientOf(srv.baseUrl);
    const { report } = await readPart(fmp, 1);
    expect(report).toMatchObject({ parts: 1, rows: 99, skipped: 1 });
    expect(report.samples[0]).toMatchObject({ row: 3, part: 1 });
    expect(JSON.stringify([report, logs])).not.toContain(KEY);
  });

  it("rejects a part on an endpoint without parts, and a part that is not a number", async () => {
    const srv = await serve(() => ({ body: "" }));
    const { fmp } = clientOf(srv.baseUrl);
    for (const [call, pattern] of [
      [() => fmp.csv(eodBulk, { date: "2026-01-09" }, { part: 0 }), /not read in parts/],
      [() => fmp.csv(profileBulk, {}, { part: -1 }), /not a part number: -1/],
      [() => fmp.csv(profileBulk, {}, { part: 1.5 }), /not a part number: 1.5/],
    ] as const) {
      const error = await failure(call);
      expect(error.kind).toBe("params");
      expect(error.message).toMatch(pattern);
    }
    expect(srv.requests).toHaveLength(0);
  });
});
