/** The SEC document client the asset tests install: fast pacing and backoff, short timeouts. */
import { createSecDocumentClient, type SecDocumentClient } from "../../sources/sec/index.ts";

export function testSecClient(fetch?: typeof globalThis.fetch): SecDocumentClient {
  return createSecDocumentClient({
    userAgent: "Fintra tests ops@fintra.example",
    ratePerSecond: 500,
    backoff: { minMs: 5, maxMs: 20 },
    timeoutMs: 5_000,
    ...(fetch ? { fetch } : {}),
  });
}
