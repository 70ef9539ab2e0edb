/**
 * Settings from the environment, and the rule that the key never shows in an error.
 */
import { describe, expect, it } from "vitest";
import {
  createFmpClient,
  DEFAULT_BASE_URL,
  FmpError,
  fmpConfigFromEnv,
} from "../../../sources/fmp/index.ts";

describe("fmpConfigFromEnv", () => {
  it("reads the key, with FMP's stable API and 300 requests a minute by default", () => {
    expect(fmpConfigFromEnv({ FMP_API_KEY: " abc123 " })).toEqual({
      apiKey: "abc123",
      baseUrl: "https://financialmodelingprep.com/stable",
      ratePerMinute: 300,
    });
    expect(DEFAULT_BASE_URL).toBe("https://financialmodelingprep.com/stable");
  });

  it("takes FMP_BASE_URL (trailing slash dropped) and FMP_RATE_PER_MIN", () => {
    expect(
      fmpConfigFromEnv({
        FMP_API_KEY: "abc123",
        FMP_BASE_URL: "http://127.0.0.1:4010/stable/",
        FMP_RATE_PER_MIN: "750",
      }),
    ).toEqual({ apiKey: "abc123", baseUrl: "http://127.0.0.1:4010/stable", ratePerMinute: 750 });
  });

  it("fails clearly without a key, or with bad values", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^FMP config: FMP_API_KEY is not set/],
      [{ FMP_API_KEY: "   " }, /FMP_API_KEY is not set/],
      [
        { FMP_API_KEY: "k", FMP_RATE_PER_MIN: "0" },
        /FMP_RATE_PER_MIN must be a positive whole number/,
      ],
      [{ FMP_API_KEY: "k", FMP_RATE_PER_MIN: "fast" }, /FMP_RATE_PER_MIN/],
      [{ FMP_API_KEY: "k", FMP_BASE_URL: "not a url" }, /FMP_BASE_URL is not a URL/],
      [{ FMP_API_KEY: "k", FMP_BASE_URL: "ftp://x/stable" }, /must be http\(s\)/],
      [
        { FMP_API_KEY: "k", FMP_BASE_URL: "https://x/stable?apikey=zzz" },
        /must not carry a query string/,
      ],
    ];
    for (const [env, pattern] of cases) {
      expect(() => fmpConfigFromEnv(env)).toThrow(pattern);
      expect(() => fmpConfigFromEnv(env)).toThrow(FmpError);
    }
  });
});

describe("createFmpClient", () => {
  it("needs a key and sane options", () => {
    expect(() => createFmpClient({ apiKey: "" })).toThrow(/no API key/);
    expect(() => createFmpClient({ apiKey: "k1234", timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createFmpClient({ apiKey: "k1234", ratePerMinute: -1 })).toThrow(RangeError);
  });

  it("scrubs a client's key from any FmpError, wherever the text came from", () => {
    const key = "live-key-5566778899";
    createFmpClient({ apiKey: key });
    const error = new FmpError({
      kind: "format",
      endpoint: `eod-bulk?apikey=${key}`,
      what: `server said: bad key ${key}`,
      hint: `see https://x/?apikey=${key}&a=1`,
    });
    expect(error.message).not.toContain(key);
    expect(error.message).toBe(
      "FMP eod-bulk?apikey=***: server said: bad key *** (see https://x/?apikey=***&a=1)",
    );
  });
});
