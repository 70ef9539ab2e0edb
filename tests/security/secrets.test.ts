/**
 * Secrets stay out: an FMP key the API rejects makes the universe fail, in
 * process and under Inngest, and the key appears nowhere afterwards — not in
 * the ledger (runs, decisions, checks), not in the events sent, not in the
 * JSON logs.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph } from "../../assets/index.ts";
import type { Store } from "../../db/index.ts";
import { markRunFailed } from "../../functions/asset-function.ts";
import { createFunctions } from "../../functions/index.ts";
import { createLogger } from "../../runtime/log.ts";
import { materialize } from "../../runtime/materialize.ts";
import { lazySec, type Resources } from "../../runtime/resources.ts";
import { createFmpClient } from "../../sources/fmp/index.ts";
import {
  createSandboxMarket,
  type SandboxServer,
  startSandboxServer,
} from "../../sources/sandbox/index.ts";
import { InngestBus } from "../helpers/inngest-bus.ts";
import { openTestStore } from "../helpers/store.ts";

const SECRET = "sk-live-7c1e9f3a2b4d";
const DAY = "2026-11-25";

let store: Store;
let server: SandboxServer;
let resources: Resources;
const logs: string[] = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    logs.push(String(chunk));
    done();
  },
});

beforeAll(async () => {
  store = await openTestStore();
  const market = createSandboxMarket({ tickers: 20, asOf: DAY });
  // The sandbox accepts only its own key, so ours is refused with a 401.
  server = await startSandboxServer({ market, apiKey: "the-right-key" });
  const fmp = createFmpClient({
    apiKey: SECRET,
    baseUrl: server.url,
    backoff: { minMs: 5, maxMs: 10 },
  });
  resources = {
    db: store,
    fmp: () => fmp,
    sec: lazySec({}),
    now: () => new Date(`${DAY}T23:00:00Z`),
  };
});
afterAll(async () => {
  await server.close();
  await store.close();
});

async function ledgerText(): Promise<string> {
  const tables = ["fintra_materializations", "fintra_gate_decisions", "fintra_check_results"];
  const dumps = await Promise.all(
    tables.map((t) =>
      store.readOnlyQuery(`SELECT coalesce(json_agg(x)::text, '') AS dump FROM ${t} x`),
    ),
  );
  return dumps.map((d) => String(d[0]?.dump)).join("\n");
}

/** The universe run in process with the rejected key: it fails. */
function failInProcess() {
  return materialize(graph, "fintra_universe", resources, {
    partition: DAY,
    log: createLogger({ level: "debug", destination: logStream }),
  });
}

describe("a rejected FMP key", () => {
  it("fails the run in process with a clear error that does not carry the key", async () => {
    const summary = await failInProcess();
    expect(summary.exitCode).toBe(1);
    const reason = summary.outcomes[0]?.reason ?? "";
    expect(reason).toMatch(/profile-bulk/);
    expect(reason).toMatch(/401|rejected|key/i);
    expect(reason).not.toContain(SECRET);
  });

  it("fails the Inngest run, marks the ledger and announces it, all without the key", async () => {
    // As an operator meets it: the day's run already failed once in process.
    expect((await failInProcess()).exitCode).toBe(1);
    const bus = new InngestBus();
    bus.register(
      createFunctions({
        client: bus.client,
        graph,
        resources: async () => resources,
        log: createLogger({ level: "debug", destination: logStream }),
      }),
    );
    const request = {
      name: "fintra/asset.requested",
      data: { asset: "fintra_universe", partition: DAY, force: true },
    };
    const [run] = await bus.deliver(request);
    expect(run?.error).toBeTruthy();
    const [row] = await store.ledger.history({ asset: "fintra_universe", limit: 1 });
    await markRunFailed({
      resources: async () => resources,
      client: bus.client,
      asset: "fintra_universe",
      runId: row?.runId as string,
      originalEvent: request,
      error: run?.error as Error,
    });
    expect((await store.ledger.get(row?.id as string))?.status).toBe("failed");
    expect(bus.sent.at(-1)?.name).toBe("fintra/asset.failed");

    expect(JSON.stringify(bus.sent)).not.toContain(SECRET);
    expect(String((run?.error as Error | undefined)?.message)).not.toContain(SECRET);
  });

  it("appears nowhere in the ledger or the logs", async () => {
    // A failed run to read, whichever tests ran before.
    expect((await failInProcess()).exitCode).toBe(1);
    const ledger = await ledgerText();
    expect(ledger).toMatch(/profile-bulk/);
    expect(ledger).not.toContain(SECRET);
    expect(logs.join("")).not.toContain(SECRET);
  });
});
