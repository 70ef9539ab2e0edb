/**
 * One CSV fetch as an async iterable of validated row batches.
 *
 * A background task downloads the body (part by part for paged endpoints, or the one part
 * asked for with `part`), splits it with
 * papaparse, validates each row and hands full batches over one at a time; the consumer's
 * `for await` pulls them. Memory holds a batch or two, whatever the body's size.
 *
 * A body that breaks mid-way (connection cut, stall, a last row missing its end) is
 * retried with the same policy as a failed request, and the retry resumes: the rows
 * already handled are read again but not delivered again, after checking that the last of
 * them is identical, so the consumer sees every row exactly once or gets an error.
 */
import { createHash } from "node:crypto";
import { CsvSplitter } from "./csv-splitter.ts";
import type { CsvEndpoint, Query } from "./endpoint.ts";
import { FmpError, oneLine, redact } from "./errors.ts";
import { fmpJsonMessage, looksLikeHtml } from "./failures.ts";
import { Handoff } from "./handoff.ts";
import { type OpenResponse, openRequest, type Transport } from "./http.ts";
import {
  type FetchReport,
  newReport,
  recordMissingColumns,
  recordSkipped,
  summarize,
} from "./report.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";
import { RowValidator } from "./rows.ts";

export interface CsvStream<Row> extends AsyncIterable<Row[]> {
  /** A snapshot of the counts so far; final once iteration has ended. */
  readonly report: FetchReport;
  /** Reads everything into one array: for small endpoints and tests, not for bulks. */
  all(): Promise<{ rows: Row[]; report: FetchReport }>;
}

interface CsvFetchSetup<Row> {
  endpoint: CsvEndpoint<Row, unknown>;
  query: Query;
  batchSize: number;
  maxParts: number;
  /** Read only this part of a part-paged endpoint (see CsvOptions.part). */
  part?: number | undefined;
  /** For a one-part read above part 0: part 0's `report.fingerprint`. */
  part0Fingerprint?: string | undefined;
  transport: Transport;
  policy: RetryPolicy;
  signal: AbortSignal | undefined;
}

/** A part's progress, kept across the attempts that read it. */
interface PartState {
  part: number | undefined;
  label: string;
  header: string[] | null;
  validator: RowValidator<unknown> | null;
  /** Data rows handled so far (delivered or skipped). */
  handled: number;
  /** The last handled row, to recognise the same body on a retry. */
  lastFields: readonly string[] | null;
  /** A short final row seen once: a second identical sighting makes it a bad row. */
  shortLast: { index: number; fields: readonly string[] } | null;
}

type PartOutcome = "rows" | "empty" | "repeat";

export function describeRequest(name: string, query: Query): string {
  const params = Object.entries(query).map(([key, value]) => `${key}=${value}`);
  return params.length > 0 ? `${name} ${params.join(" ")}` : name;
}

export class CsvFetch<Row> implements CsvStream<Row> {
  readonly #setup: CsvFetchSetup<Row>;
  readonly #report: FetchReport;
  readonly #label: string;
  #batch: Row[] = [];
  #handoff: Handoff<Row[]> | null = null;
  /** First data row of part 0, to notice an endpoint that ignores `part`. */
  #firstRow: readonly string[] | null = null;

  constructor(setup: CsvFetchSetup<Row>) {
    this.#setup = setup;
    const params = setup.part === undefined ? setup.query : { ...setup.query, part: setup.part };
    this.#report = newReport(setup.endpoint.name, params);
    if (setup.endpoint.paging === "part") this.#report.parts = 0;
    this.#label = describeRequest(setup.endpoint.name, params);
  }

  get report(): FetchReport {
    return structuredClone(this.#report);
  }

  async all(): Promise<{ rows: Row[]; report: FetchReport }> {
    const rows: Row[] = [];
    for await (const batch of this) for (const row of batch) rows.push(row);
    return { rows, report: this.report };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Row[]> {
    if (this.#handoff) throw new Error(`${this.#label}: a CsvStream can be iterated only once`);
    const handoff = new Handoff<Row[]>();
    this.#handoff = handoff;
    const stop = new AbortController();
    const signal = this.#setup.signal
      ? AbortSignal.any([this.#setup.signal, stop.signal])
      : stop.signal;
    const started = performance.now();
    const producing = this.#produce(signal).then(
      () => handoff.close(),
      (error: unknown) => handoff.fail(error),
    );
    try {
      for (;;) {
        const next = await handoff.take();
        if (next.done) break;
        yield next.value;
      }
      this.#report.complete = true;
    } finally {
      // Reached on completion, on error, and when the consumer breaks out early.
      const reason = new DOMException("the consumer stopped reading", "AbortError");
      stop.abort(reason);
      handoff.cancel(reason);
      await producing;
      this.#report.ms = Math.round(performance.now() - started);
      if (this.#report.complete) {
        this.#setup.policy.logger.info(`FMP ${this.#label}: ${summarize(this.#report)}`);
      }
    }
  }

  async #produce(signal: AbortSignal): Promise<void> {
    const { endpoint, maxParts, policy, part: only } = this.#setup;
    const paged = endpoint.paging === "part";
    for (let part = only ?? 0; ; part++) {
      const query: Query = paged ? { ...this.#setup.query, part } : this.#setup.query;
      const state: PartState = {
        part: paged ? part : undefined,
        label: describeRequest(endpoint.name, query),
        header: null,
        validator: null,
        handled: 0,
        lastFields: null,
        shortLast: null,
      };
      let outcome: PartOutcome;
      try {
        outcome = await withRetries(
          policy,
          signal,
          () => this.#readPart(state, query, signal),
          () => {
            this.#report.retries++;
          },
        );
      } catch (error) {
        // Past the last part, FMP may answer 404 rather than an empty body.
        if (!(paged && part > 0 && error instanceof FmpError && error.status === 404)) throw error;
        outcome = "empty";
      }
      if (!paged || outcome === "empty") break;
      if (outcome === "repeat") {
        if (only !== undefined) this.#report.repeatsPart0 = true;
        policy.logger.warn(
          only !== undefined
            ? `FMP ${state.label}: repeats part 0 (the endpoint ignores part=); no such part`
            : `FMP ${state.label}: repeats part 0 (the endpoint ignores part=); stopping at ${part} parts`,
        );
        break;
      }
      if (only !== undefined) {
        this.#report.parts = 1;
        break;
      }
      this.#report.parts = part + 1;
      if (part + 1 >= maxParts) {
        throw new FmpError({
          kind: "format",
          endpoint: this.#label,
          what: `more than ${maxParts} parts without an empty one`,
          hint: "raise maxParts if the file really is that large",
        });
      }
    }
    if (this.#batch.length > 0) await this.#flush();
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    await this.#handoff?.put(batch);
  }

  /** One attempt at one part (or the whole body). */
  async #readPart(state: PartState, query: Query, signal: AbortSignal): Promise<PartOutcome> {
    const { transport, endpoint } = this.#setup;
    this.#report.requests++;
    const response = await openRequest(
      transport,
      {
        path: endpoint.name,
        format: "csv",
        query,
        label: state.label,
        plan: endpoint.plan,
        apiKey: transport.apiKey,
      },
      signal,
    );
    try {
      return await this.#readBody(state, response);
    } finally {
      this.#report.bytes += response.bytesRead();
      response.close();
    }
  }

  async #readBody(state: PartState, response: OpenResponse): Promise<PartOutcome> {
    const decoder = new TextDecoder(); // drops a UTF-8 BOM
    const splitter = new CsvSplitter();
    const attempt = { headerSeen: false, index: 0 };
    let start = ""; // text before the first non-blank character, to sniff the format
    let sniffed = false;
    for (;;) {
      const chunk = await response.read();
      let text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
      if (!sniffed) {
        start += text;
        const first = start.trimStart()[0];
        if (first === undefined) {
          if (chunk) continue;
          return this.#empty(state, "empty body");
        }
        sniffed = true;
        if (first === "<" || first === "{" || first === "[") {
          return this.#notCsv(state, start + (chunk ? await response.readText(16_384) : ""));
        }
        text = start;
      }
      if (
        !chunk &&
        response.expectedBytes !== null &&
        response.bytesRead() < response.expectedBytes
      ) {
        throw new FmpError({
          kind: "truncated",
          endpoint: state.label,
          what: `body ended after ${response.bytesRead()} of ${response.expectedBytes} bytes`,
          retryable: true,
        });
      }
      const { rows, quoteErrors } = chunk ? splitter.push(text) : splitter.end();
      for (let i = 0; i < rows.length; i++) {
        const fields = rows[i] as string[];
        if (!attempt.headerSeen) {
          this.#acceptHeader(state, fields);
          attempt.headerSeen = true;
          continue;
        }
        const index = attempt.index++;
        const last = !chunk && i === rows.length - 1;
        const quoteError = quoteErrors.size > 0 ? quoteErrors.get(i) : undefined;
        const outcome = this.#handleRow(state, fields, index, quoteError, last);
        if (outcome === "repeat") return "repeat";
        // A full batch waits here until the consumer takes it; the next one is parsed
        // while the consumer works on this one.
        if (outcome === "full") await this.#flush();
      }
      if (!chunk) break;
    }
    if (state.handled === 0) return this.#empty(state, "no rows (header only)");
    return "rows";
  }

  #acceptHeader(state: PartState, fields: string[]): void {
    if (state.header) {
      if (!sameFields(state.header, fields)) throw this.#changed(state, "the header changed");
      return;
    }
    state.header = fields;
    const validator = new RowValidator(
      this.#setup.endpoint as CsvEndpoint<unknown, unknown>,
      fields,
      state.label,
      this.#report.nonFinite,
    );
    state.validator = validator;
    if (recordMissingColumns(this.#report, validator.missingOptional, validator.unread)) {
      this.#warnMissingColumns(state);
    }
  }

  /** A header without some optional columns: rows still load, and the gap is said out loud. */
  #warnMissingColumns(state: PartState): void {
    const { missingColumns, unreadColumns } = this.#report;
    const unread =
      unreadColumns.length > 0 ? `; unread header columns: ${unreadColumns.join(", ")}` : "";
    this.#setup.policy.logger.warn(
      oneLine(
        redact(
          `FMP ${state.label}: header lacks optional column(s) ${missingColumns.join(", ")}, read as null${unread} (renamed or dropped by FMP?)`,
          this.#setup.transport.apiKey,
        ),
      ),
    );
  }

  /** One data row: delivered into the batch ("full" when the batch is ready), or skipped. */
  #handleRow(
    state: PartState,
    fields: readonly string[],
    index: number,
    quoteError: string | undefined,
    last: boolean,
  ): "next" | "full" | "repeat" {
    if (index < state.handled) {
      // A retry re-reads what was already delivered; the last such row must match.
      if (index === state.handled - 1 && !sameFields(fields, state.lastFields ?? [])) {
        throw this.#changed(state, `row ${index + 1} differs from the first read`);
      }
      return "next";
    }
    const width = state.header?.length ?? 0;
    if (last && (quoteError === "MissingQuotes" || fields.length < width)) {
      const seen = state.shortLast;
      const again = seen && seen.index === index && sameFields(seen.fields, fields);
      if (!again) {
        // Most likely the connection was cut mid-row; a retry tells (the same short row
        // twice is how the file really ends, and then it is just a bad row).
        state.shortLast = { index, fields };
        throw new FmpError({
          kind: "truncated",
          endpoint: state.label,
          what: `the last row is incomplete (${fields.length} of ${width} fields), the body was cut`,
          retryable: true,
        });
      }
    }
    if (state.part !== undefined && index === 0) {
      if (this.#setup.part !== undefined) {
        // A one-part read: part 0 is known only by the fingerprint the caller kept.
        const fingerprint = fingerprintOf(fields);
        const part0 = this.#setup.part0Fingerprint;
        if (state.part > 0 && part0 !== undefined && fingerprint === part0) return "repeat";
        this.#report.fingerprint = fingerprint;
      } else if (state.part === 0) this.#firstRow = fields;
      else if (this.#firstRow && sameFields(this.#firstRow, fields)) return "repeat";
    }
    state.handled = index + 1;
    state.lastFields = fields;
    const validator = state.validator as RowValidator<Row>;
    const result =
      quoteError === undefined
        ? validator.validate(fields)
        : ({ ok: false, reason: `malformed quotes (${quoteError})` } as const);
    if (result.ok) {
      this.#report.rows++;
      this.#batch.push(result.row);
      if (this.#batch.length >= this.#setup.batchSize) return "full";
    } else {
      const symbol = validator.symbolOf(fields);
      recordSkipped(this.#report, {
        row: index + 1,
        ...(state.part !== undefined ? { part: state.part } : {}),
        ...(symbol ? { symbol } : {}),
        // Cell text is FMP's; scrub it like any other text bound for metadata.
        reason: redact(result.reason, this.#setup.transport.apiKey),
      });
    }
    return "next";
  }

  /** A body without rows: the end of a paged file, a legitimate empty file, or an error. */
  #empty(state: PartState, what: string): PartOutcome {
    const { endpoint } = this.#setup;
    if (state.handled > 0) {
      // An earlier attempt had rows: this answer is a glitch, not the file.
      throw new FmpError({ kind: "truncated", endpoint: state.label, what, retryable: true });
    }
    if (state.part !== undefined && state.part > 0) return "empty";
    if (endpoint.whenEmpty === "error") {
      throw new FmpError({
        kind: "empty",
        endpoint: state.label,
        what,
        hint: endpoint.emptyHint ?? endpoint.plan,
      });
    }
    return "empty";
  }

  /** A 2xx body that is HTML or JSON where CSV was expected. */
  #notCsv(state: PartState, body: string): PartOutcome {
    const text = body.trim();
    if (text === "[]" || text === "{}") return this.#empty(state, `empty JSON ${text}`);
    const { endpoint, transport } = this.#setup;
    if (looksLikeHtml(text)) {
      const found = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
      const title = found ? oneLine(redact(found, transport.apiKey)) : "";
      throw new FmpError({
        kind: "html",
        endpoint: state.label,
        what: `an HTML page instead of CSV${title ? ` ("${title.slice(0, 80)}")` : ""}`,
        hint: `the base URL may be wrong, or ${endpoint.plan}`,
      });
    }
    const found = fmpJsonMessage(text);
    const message = found === undefined ? undefined : oneLine(redact(found, transport.apiKey));
    const said = message ? `: ${message}` : "";
    const rateLimited = /limit reach|too many requests/i.test(message ?? "");
    throw new FmpError({
      kind: rateLimited ? "rate-limit" : "format",
      endpoint: state.label,
      what: `JSON instead of CSV${said}`.slice(0, 240),
      hint: rateLimited ? "set FMP_RATE_PER_MIN to the plan's limit" : endpoint.plan,
      retryable: rateLimited,
    });
  }

  #changed(state: PartState, what: string): FmpError {
    return new FmpError({
      kind: "changed",
      endpoint: state.label,
      what: `${what} between attempts, so rows cannot be resumed safely`,
      hint: "FMP replaced the file mid-download; run the fetch again",
    });
  }
}

/** A short, stable hash of a row's cells: small enough for a durable step's output. */
function fingerprintOf(fields: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex").slice(0, 16);
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
