/**
 * Client settings from the environment: FMP_API_KEY (required), FMP_BASE_URL (default
 * FMP's stable API) and FMP_RATE_PER_MIN (the plan's requests per minute, default 300).
 */
import { FmpError } from "./errors.ts";

export const DEFAULT_BASE_URL = "https://financialmodelingprep.com/stable";
export const DEFAULT_RATE_PER_MIN = 300;

interface FmpConfig {
  apiKey: string;
  baseUrl: string;
  ratePerMinute: number;
}

export function fmpConfigFromEnv(env: Record<string, string | undefined> = process.env): FmpConfig {
  const apiKey = env.FMP_API_KEY?.trim() ?? "";
  if (apiKey === "") {
    throw configError("FMP_API_KEY is not set", "get a key at financialmodelingprep.com");
  }
  return {
    apiKey,
    baseUrl: checkBaseUrl(env.FMP_BASE_URL?.trim() || DEFAULT_BASE_URL),
    ratePerMinute: checkRate(env.FMP_RATE_PER_MIN?.trim() || String(DEFAULT_RATE_PER_MIN)),
  };
}

export function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`FMP_BASE_URL is not a URL: ${JSON.stringify(value.slice(0, 80))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw configError(`FMP_BASE_URL must be http(s), got ${url.protocol}`);
  }
  // The key is added per request; a key baked into the base URL would leak into logs.
  if (url.search !== "") throw configError("FMP_BASE_URL must not carry a query string");
  return value.replace(/\/+$/, "");
}

function checkRate(value: string): number {
  const rate = Number(value);
  if (!Number.isInteger(rate) || rate < 1) {
    throw configError(
      `FMP_RATE_PER_MIN must be a positive whole number, got ${JSON.stringify(value.slice(0, 20))}`,
      "use your FMP plan's requests per minute",
    );
  }
  return rate;
}

function configError(what: string, hint?: string): FmpError {
  return new FmpError({ kind: "config", endpoint: "config", what, ...(hint ? { hint } : {}) });
}
