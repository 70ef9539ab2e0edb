/**
 * Incremental CSV splitting with papaparse's parser: text arrives in chunks from the
 * network, complete rows leave as arrays of fields, and the unfinished row at the end of
 * a chunk waits for the next one. Only the text of one partial row is ever held, so memory
 * stays flat however large the body is.
 *
 * This drives papaparse's core `Parser` directly, the way its own chunk streamers do,
 * rather than through `Papa.parse(stream)`: the caller pulls rows at its own pace (no
 * pause/resume callbacks) and sees quote errors per row, which tell a truncated body from
 * a complete one.
 *
 * This is papaparse's fastest setup for these files: string chunks, rows as arrays (no
 * `header: true` objects), no worker. Its split-only fast mode turns itself on for a chunk
 * without a quote character; FMP quotes every text cell, so it never applies, and forcing
 * it would keep the quotes in the values.
 */
import Papa from "papaparse";

interface CsvRows {
  /** Complete rows, in order. */
  rows: string[][];
  /**
   * Index (into `rows`) -> what papaparse found wrong with that row's quoting. An
   * unterminated quote on the final row means the body was cut inside a quoted field.
   */
  quoteErrors: Map<number, string>;
}

export class CsvSplitter {
  #pending = "";
  #newline: "\n" | "\r\n" | null = null;

  /** Adds a chunk of text; returns the rows it completed. */
  push(text: string): CsvRows {
    this.#pending += text;
    if (this.#newline === null) {
      const at = this.#pending.indexOf("\n");
      // The line ending is known once the first line is; until then nothing is complete.
      if (at === -1) return { rows: [], quoteErrors: new Map() };
      this.#newline = at > 0 && this.#pending[at - 1] === "\r" ? "\r\n" : "\n";
    }
    return this.#parse(false);
  }

  /** Ends the input; returns the last rows, including one without a final newline. */
  end(): CsvRows {
    return this.#parse(true);
  }

  #parse(final: boolean): CsvRows {
    const input = this.#pending;
    if (input.length === 0) return { rows: [], quoteErrors: new Map() };
    const parser = new Papa.Parser({
      delimiter: ",",
      newline: this.#newline ?? "\n",
      quoteChar: '"',
    });
    const result = parser.parse(input, 0, !final) as Papa.ParseResult<string[]>;
    const rows = result.data;
    this.#pending = final ? "" : input.slice(result.meta.cursor);
    const quoteErrors = new Map<number, string>();
    for (const error of result.errors) {
      // Errors about the held-back partial row are reported again when it completes.
      if (error.row !== undefined && error.row < rows.length && error.type === "Quotes") {
        quoteErrors.set(error.row, error.code);
      }
    }
    return { rows: rows.filter(isNotBlank), quoteErrors: remapAfterFilter(rows, quoteErrors) };
  }
}

function isNotBlank(row: string[]): boolean {
  return !(row.length === 1 && row[0] === "");
}

/** Blank lines are dropped; keep error indexes pointing at the same rows. */
function remapAfterFilter(rows: string[][], errors: Map<number, string>): Map<number, string> {
  if (errors.size === 0) return errors;
  const remapped = new Map<number, string>();
  let kept = 0;
  rows.forEach((row, index) => {
    if (!isNotBlank(row)) return;
    const error = errors.get(index);
    if (error) remapped.set(kept, error);
    kept++;
  });
  return remapped;
}
