/**
 * Deterministic fault injection for the sandbox server.
 *
 * Every rule counts the requests that reach it, per endpoint, starting at 1, and fires on
 * `first` (the first K requests) and/or `every` (requests N, 2N, 3N, ...). Rules are checked
 * in a fixed order, 429 then 500 then unpublished then slow then truncation then stall,
 * and a request stopped by one (429, 500, unpublished) never reaches the next: "the first 3
 * requests get 429, then every 2nd of the rest gets 500" is expressible and repeatable.
 * Malformed rows are chosen per row by a seeded hash of the request URL (apikey excluded)
 * and the row number, so a retry of the same URL gets the same damaged rows, as a real data
 * defect would. Renamed columns change the header of every matching response, as a format
 * change at FMP would.
 */
import type { MalformedKind, RowCorruptor } from "./csv.ts";
import { hash3, hashString, unit } from "./random.ts";

interface FaultRule {
  /** Endpoint names (e.g. "eod-bulk" or "/stable/eod-bulk"); all FMP endpoints when omitted. */
  endpoints?: readonly string[];
  /** The first K requests to each matching endpoint fire. */
  first?: number;
  /** Every Nth request to each matching endpoint fires. */
  every?: number;
}

interface RateLimitFault extends FaultRule {
  /** With `every`: each firing starts a burst of this many consecutive 429s (default 1). */
  burst?: number;
  /** Value of the Retry-After header, in seconds (default 1). */
  retryAfterSeconds?: number;
}

interface ServerErrorFault extends FaultRule {
  /** HTTP status to answer (default 500). */
  status?: number;
}

interface SlowFault extends FaultRule {
  /** Delay before the response starts, in milliseconds. */
  delayMs: number;
}

interface TruncateFault extends FaultRule {
  /** Bytes of body sent before the connection is cut (default 2,048). */
  afterBytes?: number;
}

interface StallFault extends FaultRule {
  /** Bytes of body sent before the response stops sending (default 0: headers only). */
  afterBytes?: number;
}

/** Header names replaced in matching CSV responses (e.g. `{ ebit: "EBIT" }`); the data stays. */
interface RenameColumnsFault {
  endpoints?: readonly string[];
  columns: Readonly<Record<string, string>>;
}

interface MalformedRowsFault {
  endpoints?: readonly string[];
  /** Share of data rows damaged, 0..1. */
  rate: number;
  /** Seed of which rows are damaged (default 1). */
  seed?: number;
  /** Kinds of damage to draw from (default both). */
  kinds?: readonly MalformedKind[];
}

export interface FaultOptions {
  rateLimit?: RateLimitFault;
  serverError?: ServerErrorFault;
  slow?: SlowFault;
  truncate?: TruncateFault;
  /**
   * The body stops mid-way and the connection stays open, sending nothing, until the client
   * gives up and disconnects (a stalled download, not a cut one).
   */
  stall?: StallFault;
  /**
   * A file not published yet: a CSV answered with its header only, as the sandbox answers
   * for a day without trading (an EOD file late on a trading day looks like this).
   */
  unpublished?: FaultRule;
  malformedRows?: MalformedRowsFault;
  renameColumns?: RenameColumnsFault;
}

export interface FaultCounts {
  rateLimited: number;
  serverErrors: number;
  slow: number;
  truncated: number;
  /** Responses stalled (each holds its connection until the client leaves). */
  stalled: number;
  /** Responses answered with the header only. */
  unpublished: number;
  /** Responses whose header had a column renamed. */
  renamed: number;
  malformedRows: number;
}

/** What to do to one request, decided before it is answered. */
export interface FaultDecision {
  rateLimit?: { retryAfterSeconds: number };
  serverError?: { status: number };
  delayMs?: number;
  truncateAfterBytes?: number;
  stallAfterBytes?: number;
  unpublished?: boolean;
  renameColumns?: Readonly<Record<string, string>>;
  corrupt?: RowCorruptor;
}

const DEFAULT_TRUNCATE_AFTER = 2048;

/** The header with renamed columns replaced; the same array when nothing matches. */
export function renameHeader(
  columns: readonly string[],
  renames: Readonly<Record<string, string>> | undefined,
): readonly string[] {
  if (!renames) return columns;
  return columns.map((c) => (Object.hasOwn(renames, c) ? (renames[c] as string) : c));
}

/** "eod-bulk", "/stable/eod-bulk" and "stable/eod-bulk" all name the same endpoint. */
function endpointName(path: string): string {
  return path.replace(/^\/+/, "").replace(/^stable\//, "");
}

function matches(endpoints: readonly string[] | undefined, endpoint: string): boolean {
  return endpoints === undefined || endpoints.some((e) => endpointName(e) === endpoint);
}

export class FaultPlan {
  private readonly counters = new Map<string, number>();

  private readonly options: FaultOptions;

  constructor(options: FaultOptions = {}) {
    this.options = options;
    const malformed = options.malformedRows;
    if (malformed && !(malformed.rate >= 0 && malformed.rate <= 1)) {
      throw new Error("malformedRows.rate must be between 0 and 1");
    }
  }

  /** Counts the request against a rule; true when the rule fires for it. */
  private fires(name: string, rule: FaultRule | undefined, endpoint: string, burst = 1): boolean {
    if (!rule || !matches(rule.endpoints, endpoint)) return false;
    const key = `${name}:${endpoint}`;
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    if (rule.first !== undefined && n <= rule.first) return true;
    const every = rule.every;
    if (every !== undefined && every > 0 && n >= every) return (n - every) % every < burst;
    return false;
  }

  /** Decides the faults of one request. `requestKey` identifies its URL for row damage. */
  decide(endpoint: string, requestKey: string): FaultDecision {
    const o = this.options;
    if (this.fires("429", o.rateLimit, endpoint, o.rateLimit?.burst ?? 1)) {
      return { rateLimit: { retryAfterSeconds: o.rateLimit?.retryAfterSeconds ?? 1 } };
    }
    if (this.fires("500", o.serverError, endpoint)) {
      return { serverError: { status: o.serverError?.status ?? 500 } };
    }
    if (this.fires("unpublished", o.unpublished, endpoint)) return { unpublished: true };
    const decision: FaultDecision = {};
    if (this.fires("slow", o.slow, endpoint)) decision.delayMs = o.slow?.delayMs ?? 0;
    if (this.fires("truncate", o.truncate, endpoint)) {
      decision.truncateAfterBytes = o.truncate?.afterBytes ?? DEFAULT_TRUNCATE_AFTER;
    }
    if (this.fires("stall", o.stall, endpoint)) decision.stallAfterBytes = o.stall?.afterBytes ?? 0;
    const rename = o.renameColumns;
    if (rename && matches(rename.endpoints, endpoint)) decision.renameColumns = rename.columns;
    const malformed = o.malformedRows;
    if (malformed && malformed.rate > 0 && matches(malformed.endpoints, endpoint)) {
      const kinds = malformed.kinds?.length
        ? malformed.kinds
        : (["non-numeric", "column-count"] as const);
      const seed = malformed.seed ?? 1;
      const urlKey = hashString(requestKey);
      decision.corrupt = (row) => {
        const h = hash3(seed, urlKey, row);
        if (unit(h) >= malformed.rate) return null;
        const pick = hash3(h, row, 0xbad);
        return { kind: kinds[pick % kinds.length] ?? "non-numeric", pick };
      };
    }
    return decision;
  }
}

export function emptyFaultCounts(): FaultCounts {
  return {
    rateLimited: 0,
    serverErrors: 0,
    slow: 0,
    truncated: 0,
    stalled: 0,
    unpublished: 0,
    renamed: 0,
    malformedRows: 0,
  };
}
