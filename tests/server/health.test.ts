/**
 * `fintra serve` when the database is down at start: /health answers 503
 * "database unreachable" (nothing more), then 200 once the database answers,
 * without a restart. The database is the local Postgres behind a TCP proxy on
 * loopback that the test starts late. The connection string's password
 * appears in no answer and no log line.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../db/index.ts";
import { createLogger } from "../../runtime/log.ts";
import { openOnDemand, startServer } from "../../server/index.ts";
import { freePort, TcpProxy } from "../helpers/tcp-proxy.ts";

const URL_ = process.env.DATABASE_URL;
const PASSWORD = "Pw-health-3e8a61c7f9";

describe("opening on demand", () => {
  it("shares one attempt between concurrent callers and forgets a rejected one", async () => {
    let calls = 0;
    const outcomes = [new Error("database down"), "open"];
    const opened = openOnDemand(async () => {
      const outcome = outcomes[calls++];
      await Promise.resolve();
      if (outcome instanceof Error) throw outcome;
      return outcome as string;
    });
    const [a, b] = await Promise.allSettled([opened.get(), opened.get()]);
    expect(calls).toBe(1);
    expect(a).toMatchObject({ status: "rejected", reason: { message: "database down" } });
    expect(b).toMatchObject({ status: "rejected" });
    expect(await opened.settled()).toBeNull();
    expect(await Promise.all([opened.get(), opened.get()])).toEqual(["open", "open"]);
    expect(calls).toBe(2);
    expect(await opened.settled()).toBe("open");
  });
});

describe.skipIf(!URL_)("fintra serve with the database down at start", () => {
  // Collected even when skipped: a placeholder keeps the URL parse harmless.
  const target = new URL(URL_ ?? "postgres://skipped.invalid/");
  const schema = `fintra_health_${randomBytes(6).toString("hex")}`;
  const logs: string[] = [];
  let proxy: TcpProxy;

  beforeAll(async () => {
    const store = await openStore({ databaseUrl: URL_ as string, schema });
    await store.migrate();
    await store.close();
    proxy = new TcpProxy(await freePort(), {
      host: target.hostname,
      port: Number(target.port || 5432),
    });
  });
  afterAll(async () => {
    await proxy.stop();
    const sql = postgres(URL_ as string, { onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  });

  it("answers 503 'database unreachable' and nothing else, then 200 when the database is back", async () => {
    const url = new URL(URL_ as string);
    url.port = String(proxy.port);
    url.username ||= "postgres";
    url.password = PASSWORD; // the local server trusts loopback, so any password connects
    url.searchParams.set("search_path", schema);
    const log = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    });
    const server = await startServer({
      port: 0,
      env: { DATABASE_URL: url.toString(), INNGEST_DEV: "1" },
      log,
    });
    const bodies: string[] = [];
    const health = async () => {
      const res = await fetch(`${server.url}/health`);
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    };
    try {
      const down = await health();
      expect(down).toEqual({ status: 503, body: { status: "database unreachable" } });
      expect(await health()).toEqual(down);
      expect(logs.join("")).toMatch(/health: database unreachable/);

      await proxy.start();
      const up = await health();
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ status: "ok", database: { reachable: true } });
    } finally {
      await server.close();
    }
    for (const text of [...bodies, ...logs]) expect(text).not.toContain(PASSWORD);
  }, 60_000);
});
