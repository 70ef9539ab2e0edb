/**
 * One writer per PGlite folder: a second opener (another process, or this one)
 * is refused with one line naming the holder; the lock goes with a clean close
 * or a normal exit, and a lock left by a killed process is taken over.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE, openPglite, StoreInUseError } from "../../db/adapters/pglite.ts";

const ADAPTER = fileURLToPath(new URL("../../db/adapters/pglite.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "fintra-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Opens `dir` in a child process: "close" closes it, "exit" exits holding it, "hold" waits to be killed. */
const CHILD = join(root, "child.mts");
writeFileSync(
  CHILD,
  `import { openPglite } from ${JSON.stringify(ADAPTER)};
const [dir, mode] = process.argv.slice(2);
try {
  const db = await openPglite(dir);
  console.log("opened");
  if (mode === "close") await db.close();
  if (mode === "exit") process.exit(0);
  if (mode === "hold") setInterval(() => {}, 1000);
} catch (error) {
  console.log("error: " + error.message);
  process.exit(3);
}
`,
);

interface Child {
  process: ChildProcess;
  /** Resolves with the first line the child prints. */
  firstLine: Promise<string>;
  exited: Promise<number | null>;
}

function child(dir: string, mode: "close" | "exit" | "hold"): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, dir, mode], {
    cwd: resolve(fileURLToPath(new URL("../..", import.meta.url))),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const firstLine = new Promise<string>((done) => {
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) done(out.split("\n")[0] as string);
    });
    proc.on("exit", () => done(out.split("\n")[0] ?? ""));
  });
  const exited = new Promise<number | null>((done) => proc.on("exit", (code) => done(code)));
  return { process: proc, firstLine, exited };
}

const inUse = (dir: string, pid: number) =>
  new RegExp(
    `^the PGlite store ${resolve(dir).replaceAll("/", "\\/")} is in use by process ${pid} \\(.+\\); stop it or use DATABASE_URL$`,
  );

describe("the PGlite folder lock", () => {
  it("refuses a second process while this one holds the folder, and lets it in after close", async () => {
    const dir = join(root, "a");
    const db = await openPglite(dir);
    let closed = false;
    try {
      const second = child(dir, "close");
      const line = await second.firstLine;
      expect(await second.exited).toBe(3);
      expect(line.replace(/^error: /, "")).toMatch(inUse(dir, process.pid));
      // ... and a second open in this same process is refused the same way.
      const again = await openPglite(dir).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(again).toBeInstanceOf(StoreInUseError);
      expect(again?.message).toMatch(inUse(dir, process.pid));
      await db.close();
      closed = true;
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
      const third = child(dir, "close");
      expect(await third.firstLine).toBe("opened");
      expect(await third.exited).toBe(0);
    } finally {
      if (!closed) await db.close();
    }
  }, 120_000);

  it("takes over the lock of a process killed with SIGKILL", async () => {
    const dir = join(root, "b");
    const holder = child(dir, "hold");
    try {
      expect(await holder.firstLine).toBe("opened");
      const pid = holder.process.pid as number;
      await expect(openPglite(dir)).rejects.toThrow(inUse(dir, pid));
      holder.process.kill("SIGKILL");
      await holder.exited;
      // The dead holder's lock is still there, and stale.
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(pid);
      const db = await openPglite(dir);
      try {
        expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
        expect(await db.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        await db.close();
      }
    } finally {
      holder.process.kill("SIGKILL");
    }
  }, 120_000);

  it("is released when the holder exits without closing", async () => {
    const dir = join(root, "c");
    const holder = child(dir, "exit");
    expect(await holder.firstLine).toBe("opened");
    expect(await holder.exited).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 120_000);
});
