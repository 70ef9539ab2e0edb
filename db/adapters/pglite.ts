/**
 * PGlite adapter: embedded Postgres in WASM, one folder on disk (or memory).
 * A folder has one writer: PGlite has no inter-process locking, and two
 * processes on one folder lose writes, so opening takes the folder's lock file.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, join, resolve } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import {
  type DatabaseTimeouts,
  DEFAULT_TIMEOUTS,
  ident,
  OID,
  parseDate,
  parseNumber,
  parseTimestamp,
  parseTimestamptz,
  type SqlExecutor,
} from "./sql.ts";

const parsers = {
  [OID.int8]: parseNumber,
  [OID.numeric]: parseNumber,
  [OID.date]: parseDate,
  [OID.timestamp]: parseTimestamp,
  [OID.timestamptz]: parseTimestamptz,
};

/** The second opener of a folder: says who holds it and what to do. */
export class StoreInUseError extends Error {
  override name = "StoreInUseError";
}

export const LOCK_FILE = "fintra.lock";

interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** Locks this process holds, released by one exit handler (a crash leaves a stale lock instead). */
const heldLocks = new Map<string, string>();
let exitHandlerInstalled = false;

function releaseSync(path: string): void {
  const token = heldLocks.get(path);
  if (token === undefined) return;
  heldLocks.delete(path);
  try {
    // Only our own lock: a stale-lock takeover may have replaced it.
    if (readFileSync(path, "utf8") === token) unlinkSync(path);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** "fintra materialize datos_eod" rather than node's full argv. */
function commandLine(): string {
  const [, script = "node", ...args] = process.argv;
  const name = /cli[\\/]bin\.js$/.test(script) ? "fintra" : basename(script);
  return [name, ...args].join(" ").slice(0, 200);
}

function readHolder(path: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    return typeof holder.pid === "number" && typeof holder.host === "string"
      ? (holder as LockHolder)
      : null;
  } catch {
    return null;
  }
}

/** A lock is stale when its process is gone (checkable on this host only) or it never got written. */
function isStale(path: string, holder: LockHolder | null): boolean {
  if (!holder) {
    // Created but not yet written by a live opener, or garbage: give a writer a moment.
    try {
      return Date.now() - statSync(path).mtimeMs > 5_000;
    } catch {
      return true;
    }
  }
  return holder.host === hostname() && !isAlive(holder.pid);
}

function inUse(dir: string, holder: LockHolder | null): StoreInUseError {
  const who = holder
    ? `process ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`} (${holder.command})`
    : "another process";
  return new StoreInUseError(
    `the PGlite store ${dir} is in use by ${who}; stop it or use DATABASE_URL`,
  );
}

/**
 * Takes `dir`'s lock file (pid, host, command) or throws StoreInUseError; a
 * lock whose process died on this host is taken over. Returns the release.
 */
function lockStoreFolder(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
  };
  const token = JSON.stringify(holder);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, token);
      } finally {
        closeSync(fd);
      }
      heldLocks.set(path, token);
      if (!exitHandlerInstalled) {
        exitHandlerInstalled = true;
        process.on("exit", () => {
          for (const held of [...heldLocks.keys()]) releaseSync(held);
        });
      }
      return () => releaseSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const current = readHolder(path);
      if (!isStale(path, current)) throw inUse(dir, current);
      try {
        unlinkSync(path);
      } catch {
        // another opener took it over first; the next attempt sees its lock
      }
    }
  }
  throw inUse(dir, readHolder(path));
}

type Queryable = Pick<PGlite, "query" | "exec"> | Transaction;

function executor(db: Queryable, root: PGlite | null, release: () => void): SqlExecutor {
  return {
    dialect: "pglite",
    async query<T>(text: string, params: unknown[] = []) {
      const result = await db.query<T>(text, params);
      return result.rows;
    },
    async exec(text: string) {
      await db.exec(text);
    },
    async copyFrom(table: string, columns: readonly string[], data: readonly Uint8Array[]) {
      const text = `COPY ${table} (${columns.map(ident).join(", ")}) FROM '/dev/blob'`;
      await db.query(text, [], { blob: new Blob(data as Uint8Array<ArrayBuffer>[]) });
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      // PGlite has one connection; a nested transaction reuses the outer one.
      if (!root) return fn(executor(db, null, release));
      return root.transaction((tx) => fn(executor(tx, null, release)));
    },
    async close() {
      if (!root) return;
      try {
        if (!root.closed) await root.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * Opens (creating if needed) a PGlite database in `dataDir`, or in memory when
 * undefined. Throws StoreInUseError when another live process holds the folder.
 */
export async function openPglite(
  dataDir?: string,
  timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
): Promise<SqlExecutor> {
  let release = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    release = lockStoreFolder(dataDir);
  }
  try {
    const db = new PGlite({ dataDir, parsers, relaxedDurability: false });
    await db.waitReady;
    // Same settings as Postgres; PGlite's single-threaded WASM build does not run the
    // timers that enforce them today (and it has one connection, so no lock waits).
    await db.exec(
      `SET statement_timeout = ${Math.trunc(timeouts.statementTimeoutMs)}; SET lock_timeout = ${Math.trunc(timeouts.lockTimeoutMs)}`,
    );
    return executor(db, db, release);
  } catch (error) {
    release();
    throw error;
  }
}
