/**
 * The file server as a separate process: forks static-server.mjs with plain node (no tsx,
 * no loader inherited), waits for its port and keeps count of the cache misses it reports,
 * so a stage can say how many requests it made that the cache could not answer.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { ServerLog } from "./static-server.mjs";

export interface FileServer {
  /** FMP base URL, ending in /stable. */
  url: string;
  pid: number;
  entries: number;
  /** Misses reported since the start (each also printed as it happens). */
  misses: string[];
  /** What was served, missed and recorded since the last call. */
  takeLog(): Promise<ServerLog>;
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL("./static-server.mjs", import.meta.url));

/** Starts the file server on `dir`; `upstream` (a live sandbox) turns on recording of misses. */
export async function startFileServer(dir: string, upstream?: string): Promise<FileServer> {
  const child: ChildProcess = fork(SCRIPT, upstream ? [dir, "--upstream", upstream] : [dir], {
    execArgv: [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const misses: string[] = [];
  const pending = new Map<number, (log: ServerLog) => void>();
  let nextId = 0;
  child.on("message", (message: { type: string; key?: string; id?: number } & ServerLog) => {
    if (message.type === "miss" && message.key) {
      misses.push(message.key);
      console.error(`!! CACHE MISS: ${message.key} (answered 404; the run's figures are invalid)`);
    }
    if (message.type === "log" && message.id !== undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  const [ready] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the file server exited with ${code} before it was ready`);
    }),
  ])) as [{ type: string; port: number; entries: number }];
  if (ready.type !== "ready") throw new Error(`the file server said ${JSON.stringify(ready)}`);
  return {
    url: `http://127.0.0.1:${ready.port}/stable`,
    pid: child.pid ?? 0,
    entries: ready.entries,
    misses,
    takeLog() {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ type: "take-log", id });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}
