import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandboxMarket,
  renderEndpoint,
  type SandboxServer,
  serveSandboxStandalone,
  startSandboxServer,
} from "../../../sources/sandbox/index.ts";
import { parseCsv } from "./support.ts";

const market = createSandboxMarket({
  tickers: 250,
  seed: 5,
  asOf: "2026-11-28",
  profilePartSize: 100,
});
const DAY = "2026-11-27";
let server: SandboxServer;

beforeAll(async () => {
  server = await startSandboxServer({ market, port: 0 });
});
afterAll(async () => {
  await server.close();
});

function get(path: string, apikey: string | null = "test-key"): Promise<Response> {
  const url = new URL(`${server.url}/${path}`);
  if (apikey !== null) url.searchParams.set("apikey", apikey);
  return fetch(url);
}

describe("sandbox server", () => {
  it("listens on loopback with a base URL ending in /stable", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stable$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it("requires a non-empty apikey, answering 401 with FMP's JSON error", async () => {
    for (const key of [null, ""]) {
      const res = await get(`eod-bulk?date=${DAY}`, key);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect(Object.keys((await res.json()) as object)).toEqual(["Error Message"]);
    }
    expect((await get(`eod-bulk?date=${DAY}`)).status).toBe(200);
  });

  it("serves the same bytes as the market renders, as CSV", async () => {
    const res = await get(`income-statement-bulk?year=2026&period=Q1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(await res.text()).toBe(
      renderEndpoint(market, "income-statement-bulk", { year: 2026, period: "Q1" }),
    );
  });

  it("pages profile-bulk and returns an empty body past the last part", async () => {
    const symbols: string[] = [];
    for (let part = 0; part < 3; part++) {
      const rows = parseCsv(await (await get(`profile-bulk?part=${part}`)).text());
      expect(rows[0]?.[0]).toBe("symbol");
      symbols.push(...rows.slice(1).map((r) => r[0] as string));
    }
    expect(symbols).toEqual(market.tickers.map((t) => t.symbol));
    const past = await get("profile-bulk?part=3");
    expect(past.status).toBe(200);
    expect(await past.text()).toBe("");
    expect(await (await get("ratios-ttm-bulk?part=1")).text()).toBe("");
  });

  it("rejects bad parameters and unknown paths with JSON errors", async () => {
    expect((await get("eod-bulk?date=yesterday")).status).toBe(400);
    expect((await get("income-statement-bulk?year=2026&period=Q5")).status).toBe(400);
    expect((await get("no-such-endpoint")).status).toBe(404);
  });

  it("counts requests per path", async () => {
    const before = server.stats.requests["/stable/peers-bulk"] ?? 0;
    await (await get("peers-bulk")).text();
    await (await get("peers-bulk")).text();
    expect(server.stats.requests["/stable/peers-bulk"]).toBe(before + 2);
  });

  it("serves SEC filings as JSON with links to documents it also serves", async () => {
    const res = await get(
      "sec-filings-search/form-type?formType=8-K&from=2026-01-01&to=2026-03-31&page=0&limit=50",
    );
    const filings = (await res.json()) as Record<string, string>[];
    expect(filings.length).toBe(50);
    expect(Object.keys(filings[0]!)).toEqual([
      "symbol",
      "cik",
      "filingDate",
      "acceptedDate",
      "formType",
      "link",
      "finalLink",
    ]);
    for (const f of filings) {
      expect(f.formType).toBe("8-K");
      expect(f.filingDate! >= "2026-01-01" && f.filingDate! <= "2026-03-31 23").toBe(true);
      expect(f.cik).toMatch(/^\d{10}$/);
    }
    const sorted = [...filings].sort((a, b) => (a.acceptedDate! < b.acceptedDate! ? 1 : -1));
    expect(filings.map((f) => f.acceptedDate)).toEqual(sorted.map((f) => f.acceptedDate));
    const doc = await fetch(filings[0]!.finalLink!);
    expect(doc.status).toBe(200);
    expect(await doc.text()).toMatch(/Item&#160;\d\.\d\d/);
    expect((await fetch(filings[0]!.link!)).status).toBe(200);
    const page2 = (await (
      await get(
        "sec-filings-search/form-type?formType=8-K&from=2026-01-01&to=2026-03-31&page=1&limit=50",
      )
    ).json()) as Record<string, string>[];
    expect(page2[0]?.finalLink).not.toBe(filings[0]?.finalLink);
  });

  it("files a 10-K on the day the FY statements are filed", async () => {
    const tenKs = (await (
      await get(
        "sec-filings-search/form-type?formType=10-K&from=2025-01-01&to=2025-12-31&limit=1000",
      )
    ).json()) as Record<string, string>[];
    expect(tenKs.length).toBeGreaterThan(20);
    for (const f of tenKs.slice(0, 20)) {
      const fiscalYear = market.ticker(f.symbol!)!;
      expect(fiscalYear).toBeDefined();
      const candidates = [2024, 2025, 2026]
        .map((y) => market.statement(f.symbol!, "income", y, "FY"))
        .filter((s) => s?.filingDate === f.filingDate!.slice(0, 10));
      expect(candidates, f.symbol).toHaveLength(1);
    }
  });
});

describe("standalone sandbox", () => {
  it("starts on a free port and prints the base URL and a curl line", async () => {
    const lines: string[] = [];
    const standalone = await serveSandboxStandalone({
      tickers: 20,
      seed: 1,
      port: 0,
      print: (l) => lines.push(l),
    });
    try {
      expect(lines.join("\n")).toContain(standalone.url);
      const curl = lines.find((l) => l.startsWith("Try: curl "));
      expect(curl).toMatch(/eod-bulk\?date=\d{4}-\d{2}-\d{2}&apikey=sandbox/);
      const url = curl!.slice('Try: curl "'.length, -1);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect((await res.text()).startsWith('"symbol","date"')).toBe(true);
    } finally {
      await standalone.close();
    }
  });
});
