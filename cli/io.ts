/** Where the CLI writes and what it reads from its environment; injectable for tests. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
};

/** Bad input: a one-line message and exit code 2, before anything is written. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function line(stream: NodeJS.WritableStream, text = ""): void {
  stream.write(`${text}\n`);
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [format(headers), format(widths.map((w) => "-".repeat(w))), ...rows.map(format)].join(
    "\n",
  );
}
