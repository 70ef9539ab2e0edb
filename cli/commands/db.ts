/** `fintra db migrate` and `fintra sql`: the database from the command line. */
import { readFileSync } from "node:fs";
import { describeStore, storeConfigFromEnv } from "../../db/index.ts";
import type { RegisterCommand } from "../context.ts";
import { line, table, UsageError } from "../io.ts";

/** Splits a SQL script into statements: `--` comments dropped, `;` outside quotes ends one. */
function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (!quote && ch === "-" && script[i + 1] === "-") {
      while (i < script.length && script[i] !== "\n") i++;
      current += "\n";
      continue;
    }
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    if (!quote && ch === ";") {
      if (current.trim()) statements.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export const registerDb: RegisterCommand = (program, ctx) => {
  const db = program.command("db").description("database tasks");
  db.command("migrate")
    .description("apply pending SQL migrations (db/migrations) in order")
    .action(async () => {
      const { io, deps } = ctx;
      const resources = await deps.openResources(io.env);
      try {
        const applied = await resources.db.migrate();
        const where = describeStore(storeConfigFromEnv(io.env));
        line(
          io.stdout,
          `${where}: ${applied.length ? `applied ${applied.join(", ")}` : "already up to date"}`,
        );
      } finally {
        await resources.db.close();
      }
    });

  program
    .command("sql")
    .description("run read-only SQL against the database and print the rows")
    .argument("[query]", "one or more statements separated by ;")
    .option("-f, --file <path>", "read the statements from a file")
    .action(async (query: string | undefined, opts) => {
      const { io, deps } = ctx;
      if (!query && !opts.file) throw new UsageError("give a query, or --file with statements");
      const script = opts.file ? readFileSync(opts.file, "utf8") : (query as string);
      const statements = splitStatements(script);
      if (statements.length === 0) throw new UsageError("no SQL statement found");
      const resources = await deps.openResources(io.env);
      try {
        for (const statement of statements) {
          if (statements.length > 1) line(io.stdout, `\n${statement.replace(/\s+/g, " ")}`);
          const rows = await resources.db.readOnlyQuery(statement);
          const headers = rows[0] ? Object.keys(rows[0]) : [];
          line(
            io.stdout,
            rows.length
              ? table(
                  headers,
                  rows.map((r) => headers.map((h) => cell(r[h]))),
                )
              : "(no rows)",
          );
        }
      } finally {
        await resources.db.close();
      }
    });
};
