/**
 * The client against a loopback HTTP server that misbehaves on purpose: it must retry and
 * complete (every row exactly once), or fail with the right one-line error, and the API
 * key must never show up in an error, a log line or a report.
 */
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFmpClient,
  eodBulk,
  type FmpClientOptions,
  FmpError,
  incomeStatementBulk,
  secFilingsByFormType,
} from "../../../sources/fmp/index.ts";
import {
  type FaultServer,
  type Reply,
  type Script,
  startFaultServer,
} from "./helpers/fault-server.ts";

const KEY = "sk-SECRET-0f9e8d7c6b";
const DATE = { date: "2026-01-09" };
const EOD_HEADER = `"symbol","date","open","low","high","close","adjClose","volume"`;

function symbolAt(i: number): string {
  return `S${String(i).padStart(5, "0")}`;
}

function eodRow(i: number): string {
  return `"${symbolAt(i)}","2026-01-09",${i}.25,${i}.5,${i}.75,${i}.5,${i}.5,${1000 + i}`;
}

/** An EOD file of n rows with unique symbols, no final newline (as FMP writes them). */
function eodBody(n: number, from = 0): string {
  const rows = Array.from({ length: n }, (_, i) => eodRow(from + i));
  return [EOD_HEADER, ...rows].join("\n");
}

const expectedSymbols = (n: number) => Array.from({ length: n }, (_, i) => symbolAt(i));

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: Script): Promise<FaultServer> {
  server = await startFaultServer(script);
  return server;
}

/** A client with test-sized timeouts and backoff, recording what it logs. */
function clientOf(target: FaultServer | string, options: Partial<FmpClientOptions> = {}) {
  const logs: string[] = [];
  const fmp = createFmpClient({
    apiKey: KEY,
    baseUrl: typeof target === "string" ? target : target.baseUrl,
    retries: 3,
    backoff: { minMs: 5, maxMs: 20 },
    // Generous for normal answers on a busy machine; the timeout tests pass 300 ms.
    timeoutMs: 1_000,
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    ...options,
  });
  return { fmp, logs };
}

async function readEod(fmp: ReturnType<typeof clientOf>["fmp"], batchSize = 500) {
  const stream = fmp.csv(eodBulk, DATE, { batchSize });
  const symbols: string[] = [];
  for await (const batch of stream) for (const row of batch) symbols.push(row.symbol);
  return { symbols, report: stream.report };
}

async function failure(work: Promise<unknown>): Promise<FmpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FmpError);
  return error as FmpError;
}

/** Nothing the client produced may contain the key. */
function expectNoKey(...things: unknown[]): void {
  for (const thing of things) {
    const text = thing instanceof Error ? `${thing.message} ${thing.stack}` : JSON.stringify(thing);
    expect(text).not.toContain(KEY);
  }
}

describe("retried failures", () => {
  it("429 with Retry-After: waits as told, then completes", async () => {
    const srv = await serve((_, n) =>
      n === 1
        ? { status: 429, headers: { "retry-after": "1" }, body: '{"Error Message":"Limit Reach"}' }
        : { body: eodBody(50) },
    );
    const { fmp, logs } = clientOf(srv);
    const { symbols, report } = await readEod(fmp);
    expect(symbols).toEqual(expectedSymbols(50));
    expect(report).toMatchObject({ requests: 2, retries: 1, rows: 50, complete: true });
    const [first, second] = srv.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(logs.join("\n")).toMatch(/eod-bulk date=2026-01-09: HTTP 429, rate limit reached/);
    expectNoKey(logs, report);
  });

  it("caps an excessive Retry-After at maxRetryAfterMs", async () => {
    const srv = await serve((_, n) =>
      n === 1 ? { status: 429, headers: { "retry-after": "3600" } } : { body: eodBody(3) },
    );
    const { fmp } = clientOf(srv, { maxRetryAfterMs: 100 });
    const started = performance.now();
    expect((await readEod(fmp)).symbols).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("retries 5xx answers, an HTML page from a proxy included", async () => {
    const srv = await serve((_, n): Reply => {
      if (n === 1) return { status: 500, body: "boom" };
      if (n === 2) {
        const page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        return { status: 502, headers: { "content-type": "text/html" }, body: page };
      }
      if (n === 3) return { status: 503, headers: { "retry-after": "0" } };
      return { body: eodBody(20) };
    });
    const { fmp, logs } = clientOf(srv);
    const { symbols, report } = await readEod(fmp);
    expect(symbols).toEqual(expectedSymbols(20));
    expect(report).toMatchObject({ requests: 4, retries: 3 });
    expect(logs.join("\n")).toContain('HTTP 502: an HTML page "502 Bad Gateway"');
  });

  it("gives up after the retries, in one line naming the endpoint and the attempts", async () => {
    const srv = await serve(() => ({ status: 500, body: `failed for apikey=${KEY}` }));
    const { fmp, logs } = clientOf(srv);
    const error = await failure(readEod(fmp));
    expect(error.message).toBe(
      "FMP eod-bulk date=2026-01-09: HTTP 500: failed for apikey=***; gave up after 4 attempts (FMP or a proxy in front of it failed)",
    );
    expect(error).toMatchObject({ kind: "server", status: 500, retryable: true });
    expect(srv.requests).toHaveLength(4);
    expectNoKey(error, logs);
  });

  it("a response that does not come within timeoutMs is retried", async () => {
    const srv = await serve((_, n) =>
      n === 1 ? { delayMs: 1_500, body: eodBody(5) } : { body: eodBody(5) },
    );
    const { fmp, logs } = clientOf(srv, { timeoutMs: 300 });
    expect((await readEod(fmp)).symbols).toEqual(expectedSymbols(5));
    expect(logs.join("\n")).toMatch(/no response within 300 ms; retrying/);
  });

  it("a body that stalls mid-way is retried and resumed: every row exactly once", async () => {
    const body = eodBody(3_000);
    const srv = await serve((_, n) =>
      n === 1 ? { body, stallAfter: 70_000, stallMs: 2_000 } : { body },
    );
    const { fmp, logs } = clientOf(srv, { timeoutMs: 300 });
    const { symbols, report } = await readEod(fmp, 100);
    expect(symbols).toEqual(expectedSymbols(3_000));
    expect(report).toMatchObject({ requests: 2, rows: 3_000, skipped: 0 });
    expect(logs.join("\n")).toMatch(/no data for 300 ms after \d+ bytes/);
  });

  it("a connection refused is retried, then named with a hint", async () => {
    const probe = await serve(() => ({}));
    const deadUrl = probe.baseUrl;
    await probe.close();
    server = undefined;
    const { fmp } = clientOf(deadUrl);
    const error = await failure(readEod(fmp));
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(
      /^FMP eod-bulk date=2026-01-09: network error: .*ECONNREFUSED.*; gave up after 4 attempts \(check FMP_BASE_URL and the network\)$/,
    );
    expectNoKey(error);
  });
});

describe("truncated bodies", () => {
  const body = eodBody(3_000);
  // A cut inside row 1,800: not at a line end, and before its last field.
  const cut = body.indexOf(`"${symbolAt(1_800)}"`) + 20;

  for (const framing of ["length", "chunked", "close"] as const) {
    it(`are detected and resumed (${framing} framing)`, async () => {
      const srv = await serve((_, n) => (n === 1 ? { body, cutAfter: cut, framing } : { body }));
      const { fmp, logs } = clientOf(srv);
      const { symbols, report } = await readEod(fmp, 250);
      expect(symbols).toEqual(expectedSymbols(3_000));
      expect(report).toMatchObject({ requests: 2, retries: 1, rows: 3_000, skipped: 0 });
      expect(logs.join("\n")).toMatch(
        framing === "close"
          ? /the last row is incomplete \(\d of 8 fields\), the body was cut; retrying/
          : /connection broke after \d+ bytes/,
      );
    });
  }

  it("a short last row that comes back identical is a bad row, not a cut", async () => {
    const shortEnd = `${eodBody(10)}\n"ODD","2026-01-09",1,2`;
    const srv = await serve(() => ({ body: shortEnd }));
    const { fmp } = clientOf(srv);
    const { symbols, report } = await readEod(fmp);
    expect(symbols).toEqual(expectedSymbols(10));
    expect(report).toMatchObject({ requests: 2, skipped: 1, complete: true });
    expect(report.samples[0]).toEqual({
      row: 11,
      symbol: "ODD",
      reason: "expected 8 fields, got 4",
    });
  });

  it("a retry that returns a different file fails rather than mixing two files", async () => {
    const other = eodBody(3_000, 50_000);
    const srv = await serve((_, n) =>
      n === 1 ? { body, cutAfter: cut, framing: "length" } : { body: other },
    );
    const { fmp } = clientOf(srv);
    const error = await failure(readEod(fmp));
    expect(error.kind).toBe("changed");
    expect(error.message).toMatch(
      /^FMP eod-bulk date=2026-01-09: row \d+ differs from the first read/,
    );
  });
});

describe("failures that retrying cannot fix", () => {
  it("401: the key was rejected (FMP's message kept, the key scrubbed)", async () => {
    const srv = await serve(() => ({
      status: 401,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ "Error Message": `Invalid API KEY: ${KEY}. Feel free to sign up.` }),
    }));
    const { fmp, logs } = clientOf(srv);
    const error = await failure(readEod(fmp));
    expect(error.message).toBe(
      "FMP eod-bulk date=2026-01-09: HTTP 401, the API key was rejected: Invalid API KEY: ***. Feel free to sign up. (check FMP_API_KEY)",
    );
    expect(error).toMatchObject({ kind: "auth", status: 401, retryable: false });
    expect(srv.requests).toHaveLength(1);
    expectNoKey(error, logs);
  });

  for (const status of [402, 403]) {
    it(`${status}: names what the plan may lack`, async () => {
      const srv = await serve(() => ({
        status,
        body: '{"Error Message":"Restricted Endpoint: This endpoint is not available under your current subscription"}',
      }));
      const { fmp } = clientOf(srv);
      const error = await failure(fmp.csv(incomeStatementBulk, { year: 2026, period: "Q1" }).all());
      expect(error.kind).toBe("plan");
      expect(error.message).toMatch(
        new RegExp(
          `^FMP income-statement-bulk year=2026 period=Q1: HTTP ${status}, not available with this API key: Restricted Endpoint.*\\(statement bulk CSVs need an FMP plan that includes bulk endpoints; check the FMP subscription\\)$`,
        ),
      );
      expect(srv.requests).toHaveLength(1);
      expectNoKey(error);
    });
  }

  it("404: hints at the base URL's /stable prefix", async () => {
    const srv = await serve(() => ({ status: 404, body: "Not Found" }));
    const { fmp } = clientOf(srv);
    const error = await failure(readEod(fmp));
    expect(error.message).toMatch(/HTTP 404, no such endpoint: Not Found \(check FMP_BASE_URL/);
  });

  it("an HTML page with status 200 is an error, not a CSV", async () => {
    const srv = await serve(() => ({
      headers: { "content-type": "text/html" },
      body: "<!DOCTYPE html><html><head><title>Pricing | FMP</title></head><body>Upgrade</body></html>",
    }));
    const { fmp } = clientOf(srv);
    const error = await failure(readEod(fmp));
    expect(error.message).toBe(
      'FMP eod-bulk date=2026-01-09: an HTML page instead of CSV ("Pricing | FMP") (the base URL may be wrong, or eod-bulk needs an FMP plan that includes bulk endpoints)',
    );
    expect(error).toMatchObject({ kind: "html", retryable: false });
    expect(srv.requests).toHaveLength(1);
  });

  it("an empty EOD body (or a header alone) is an error that says why it may be empty", async () => {
    for (const body of ["", `${EOD_HEADER}\n`]) {
      const srv = await serve(() => ({ body }));
      const { fmp } = clientOf(srv);
      const error = await failure(readEod(fmp));
      expect(error.kind).toBe("empty");
      expect(error.message).toMatch(
        /^FMP eod-bulk date=2026-01-09: (empty body|no rows \(header only\)) \(no prices for that date: not a trading day, not published yet .*, or not in the plan\)$/,
      );
      await srv.close();
      server = undefined;
    }
  });

  it("an empty statement period is zero rows, not an error", async () => {
    const srv = await serve(() => ({ body: "" }));
    const { fmp } = clientOf(srv);
    const { rows, report } = await fmp.csv(incomeStatementBulk, { year: 2030, period: "FY" }).all();
    expect(rows).toEqual([]);
    expect(report).toMatchObject({ rows: 0, complete: true, requests: 1 });
  });

  it("FMP's JSON 'Limit Reach' in place of the CSV is retried like a 429", async () => {
    const srv = await serve((_, n) =>
      n === 1
        ? {
            headers: { "content-type": "application/json" },
            body: '{"Error Message":"Limit Reach . Please upgrade your plan"}',
          }
        : { body: eodBody(4) },
    );
    const { fmp, logs } = clientOf(srv);
    expect((await readEod(fmp)).symbols).toEqual(expectedSymbols(4));
    expect(logs.join("\n")).toMatch(/JSON instead of CSV: Limit Reach/);
  });
});

describe("streaming", () => {
  /** A body generated on demand: `rows` EOD rows, counting the bytes the server produced. */
  function generated(rows: number) {
    const state = { bytes: 0, closed: false };
    const make = () => {
      let i = 0;
      const source = new Readable({
        read() {
          if (i === 0) {
            state.bytes += EOD_HEADER.length;
            this.push(`${EOD_HEADER}`);
          }
          let chunk = "";
          for (let k = 0; k < 500 && i < rows; k++, i++) chunk += `\n${eodRow(i)}`;
          state.bytes += chunk.length;
          this.push(chunk.length > 0 ? chunk : null);
        },
      });
      source.on("close", () => {
        state.closed = true;
      });
      return source;
    };
    return { state, make };
  }

  it("delivers rows while the body is still arriving", async () => {
    let release: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      release = resolve;
    });
    const srv = await serve(() => ({
      stream: () => {
        let step = 0;
        return new Readable({
          read() {
            step++;
            if (step === 1) this.push(eodBody(2_000));
            else if (step === 2) finished.then(() => this.push(`\n${eodRow(2_000)}`));
            else this.push(null);
          },
        });
      },
    }));
    const { fmp } = clientOf(srv, { timeoutMs: 5_000 });
    const stream = fmp.csv(eodBulk, DATE, { batchSize: 500 });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toHaveLength(500);
    expect(stream.report.complete).toBe(false);
    release();
    let count = 500;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      count += next.value.length;
    }
    expect(count).toBe(2_001);
  });

  it("a slow consumer holds the download back: memory stays flat on a big body", async () => {
    const body = generated(2_000_000); // about 110 MB
    const srv = await serve(() => ({ stream: body.make }));
    const { fmp } = clientOf(srv, { timeoutMs: 5_000 });
    const stream = fmp.csv(eodBulk, DATE, { batchSize: 1_000 });
    let batches = 0;
    for await (const _ of stream) {
      batches++;
      if (batches === 3) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        break;
      }
    }
    // Socket and stream buffers only: a few MB produced of the ~110 MB body.
    expect(body.state.bytes).toBeLessThan(16_000_000);
    expect(stream.report).toMatchObject({ rows: expect.any(Number), complete: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(body.state.closed).toBe(true);
  });

  it("counts the plan's requests per minute per client, retries included", async () => {
    const srv = await serve(() => ({ body: eodBody(1) }));
    const { fmp } = clientOf(srv, { ratePerMinute: 2 });
    await readEod(fmp);
    await readEod(fmp);
    const third = fmp.csv(eodBulk, DATE, { signal: AbortSignal.timeout(300) }).all();
    await expect(third).rejects.toThrow();
    expect(srv.requests).toHaveLength(2);
  });
});

describe("JSON endpoint: SEC filings by form type", () => {
  const filings = [
    {
      symbol: "AAPL",
      cik: "0000320193",
      filingDate: "2024-02-29 00:00:00",
      acceptedDate: "2024-02-28 18:07:43",
      formType: "8-K",
      link: "https://www.sec.gov/Archives/edgar/data/320193/0000320193-24-000029-index.htm",
      finalLink: "https://www.sec.gov/Archives/edgar/data/320193/aapl-20240228.htm",
    },
    { symbol: "BAD", formType: "8-K" },
    {
      symbol: "MSFT",
      cik: "0000789019",
      filingDate: "2024-02-27 00:00:00",
      acceptedDate: "2024-02-27 16:05:12",
      formType: "8-K",
      link: "https://www.sec.gov/x-index.htm",
      finalLink: "https://www.sec.gov/x.htm",
      extraField: 1,
    },
  ];
  const params = { formType: "8-K", from: "2024-01-01", to: "2024-03-01", page: 0, limit: 100 };

  it("validates each filing, skips and samples a bad one, sends FMP's parameters", async () => {
    const srv = await serve(() => ({
      headers: { "content-type": "application/json" },
      body: JSON.stringify(filings),
    }));
    const { fmp, logs } = clientOf(srv);
    const { rows, report } = await fmp.json(secFilingsByFormType, params);
    expect(rows.map((row) => row.symbol)).toEqual(["AAPL", "MSFT"]);
    expect(rows[1]).not.toHaveProperty("extraField");
    expect(report).toMatchObject({ rows: 2, skipped: 1, requests: 1, complete: true });
    expect(report.samples[0]).toMatchObject({ row: 2, symbol: "BAD" });
    expect(srv.requests[0]?.path).toBe("sec-filings-search/form-type");
    expect(Object.fromEntries(srv.requests[0]?.query ?? [])).toEqual({
      formType: "8-K",
      from: "2024-01-01",
      to: "2024-03-01",
      page: "0",
      limit: "100",
      apikey: KEY,
    });
    expectNoKey(report, logs);
  });

  it("retries a cut JSON body, and names the plan on a 403", async () => {
    const text = JSON.stringify(filings);
    const srv = await serve((_, n) => {
      if (n === 1) return { body: text, cutAfter: 100, framing: "close" };
      if (n === 2) return { body: text };
      return { status: 403, body: '{"Error Message":"Special Endpoint"}' };
    });
    const { fmp } = clientOf(srv);
    expect((await fmp.json(secFilingsByFormType, params)).rows).toHaveLength(2);
    const error = await failure(fmp.json(secFilingsByFormType, params));
    expect(error.message).toMatch(
      /^FMP sec-filings-search\/form-type formType=8-K from=2024-01-01 to=2024-03-01 page=0 limit=100: HTTP 403, not available with this API key: Special Endpoint \(SEC filings search needs/,
    );
  });

  it("rejects a date range backwards", async () => {
    const srv = await serve(() => ({ body: "[]" }));
    const { fmp } = clientOf(srv);
    await expect(
      fmp.json(secFilingsByFormType, { formType: "10-K", from: "2024-03-01", to: "2024-01-01" }),
    ).rejects.toThrow(/`from` must not be after `to`/);
    expect(srv.requests).toHaveLength(0);
  });
});
