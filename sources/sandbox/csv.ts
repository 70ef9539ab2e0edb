/**
 * CSV writing in FMP's bulk format: a quoted header row, strings quoted (with "" escaping),
 * numbers and booleans bare, an empty field for a missing value, "\n" between rows and no
 * newline after the last one (exactly as the real files end).
 *
 * Rows are buffered into chunks so a response streams in pieces of ~64 KB instead of one
 * large string. The writer is also where malformed rows are injected, since it is the one
 * place that knows which columns are numeric.
 */
import { type ColumnKind, columnKind } from "./columns.ts";

export type CsvValue = string | number | boolean | null | undefined;

export type MalformedKind = "non-numeric" | "column-count";

/** Decides, per data row (0-based), whether and how to corrupt it. */
export type RowCorruptor = (rowIndex: number) => { kind: MalformedKind; pick: number } | null;

const DEFAULT_CHUNK_SIZE = 64 * 1024;

function quote(text: string): string {
  return text.includes('"') ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
}

/** JavaScript's shortest round-trip form is also FMP's (e.g. 2.6011185e-10, 416161000000). */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "";
  return String(value);
}

function formatValue(value: CsvValue, kind: ColumnKind): string {
  if (value === null || value === undefined) return "";
  if (kind === "string") return quote(String(value));
  if (typeof value === "number") return formatNumber(value);
  return String(value);
}

export class CsvWriter {
  private readonly kinds: ColumnKind[];
  private readonly numericColumns: number[];
  private parts: string[] = [];
  private size = 0;
  private rowCount = 0;
  private readonly chunkSize: number;

  private readonly columns: readonly string[];
  private readonly corrupt?: RowCorruptor;

  constructor(columns: readonly string[], corrupt?: RowCorruptor, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.columns = columns;
    this.corrupt = corrupt;
    this.kinds = columns.map(columnKind);
    this.numericColumns = this.kinds.flatMap((kind, i) => (kind === "number" ? [i] : []));
    this.chunkSize = chunkSize;
  }

  /** Number of data rows written so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** Number of rows corrupted so far. */
  corrupted = 0;

  header(): void {
    this.push(this.columns.map(quote).join(","));
  }

  row(values: readonly CsvValue[]): void {
    const fields = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) {
      fields[i] = formatValue(values[i], this.kinds[i] ?? "string");
    }
    const damage = this.corrupt?.(this.rowCount);
    if (damage) {
      this.corrupted++;
      if (damage.kind === "column-count" || this.numericColumns.length === 0) {
        fields.pop();
      } else {
        const column = this.numericColumns[damage.pick % this.numericColumns.length] ?? 0;
        fields[column] = quote("N/A");
      }
    }
    this.rowCount++;
    this.push(`\n${fields.join(",")}`);
  }

  private push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  /** True once a chunk's worth of text is buffered. */
  get full(): boolean {
    return this.size >= this.chunkSize;
  }

  /** Returns and clears the buffered text. */
  take(): string {
    const text = this.parts.join("");
    this.parts = [];
    this.size = 0;
    return text;
  }
}
