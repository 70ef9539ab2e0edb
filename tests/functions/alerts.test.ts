/**
 * Alerts under the Inngest harness: the daily cron fires, one dep is held back (its run
 * fails), the watch's cron comes after the deadline and raises one alert, which the
 * webhook function posts to a loopback receiver: retried when it answers 500, delivered
 * once however often the condition repeats, and followed by one "resolved" after a
 * healthy rerun. The receiver sees no secret.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/index.ts";
import { markRunFailed } from "../../functions/asset-function.ts";
import { createFunctions } from "../../functions/index.ts";
import type { Resources } from "../../runtime/resources.ts";
import { CRON_EVENT, InngestBus } from "../helpers/inngest-bus.ts";
import { testResources } from "../helpers/resources.ts";
import { openTestStore } from "../helpers/store.ts";
import { createTestGraph } from "../helpers/test-graph.ts";

const FRIDAY = "2026-11-27";
const WEBHOOK_TOKEN = "T000/B000/hook-secret-9f3c";
let clock = new Date("2026-11-28T00:00:00Z"); // Friday 19:00 New York
let store: Store;
let resources: Resources;
let receiver: Server;
let hookUrl: string;
/** What the receiver answers next (then 200), and what it got. */
const answers: number[] = [];
const received: { status: number; body: Record<string, unknown> }[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  store = await openTestStore();
  resources = { ...testResources(store, clock), now: () => clock };
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const status = answers.shift() ?? 200;
      received.push({ status, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(status).end();
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/${WEBHOOK_TOKEN}`;
  process.env.FINTRA_ALERT_WEBHOOK = hookUrl;
  process.env.FINTRA_ALERT_FORMAT = "json";
});

afterAll(async () => {
  process.env = saved;
  receiver.close();
  await store.close();
});

describe("the deadline under Inngest", () => {
  it("pages once when the day is not done, retries a failing receiver, then says resolved", async () => {
    const t = createTestGraph();
    const bus = new InngestBus();
    bus.register(
      createFunctions({ client: bus.client, graph: t.graph, resources: async () => resources }),
    );

    // The cron fires at 18:30 New York; financials fails, so valuation and snapshot never run.
    t.failing.add("financials");
    await bus.drain({ name: CRON_EVENT, data: { function: "universe" } });
    // Its retries run out: Inngest calls the failure handler, which pages the failure once.
    const failedRun = bus.executions.find((x) => x.functionId === "financials" && x.error);
    const [row] = await store.ledger.history({ asset: "financials", limit: 1 });
    await markRunFailed({
      resources: async () => resources,
      client: bus.client,
      asset: "financials",
      runId: row?.runId as string,
      originalEvent: failedRun?.event as { name: string; data: Record<string, unknown> },
      error: new Error("financials exploded on purpose"),
    });
    await bus.drain();
    expect(received.map((r) => [r.status, r.body.kind, r.body.asset])).toEqual([
      [200, "failure", "financials"],
    ]);
    expect(
      await store.ledger.latest({
        asset: "snapshot",
        status: "succeeded",
        scopeKeys: [""],
        partition: FRIDAY,
      }),
    ).toBeNull();

    // Saturday morning: the watch runs past the 3 h deadline. The receiver fails once.
    clock = new Date("2026-11-28T12:00:00Z");
    answers.push(500);
    const watch = { name: CRON_EVENT, data: { function: "alert-watch" } };
    await bus.drain(watch);
    const raised = bus.sent.filter(
      (e) => e.name === "fintra/alert.raised" && e.data.kind === "deadline",
    );
    expect(raised.map((e) => [e.data.kind, e.data.asset, e.data.day])).toEqual([
      ["deadline", "snapshot", FRIDAY],
    ]);
    const post = bus.executions.filter(
      (x) => x.functionId === "alert-webhook" && x.event.data.kind === "deadline",
    );
    expect(post).toHaveLength(1);
    const error = JSON.stringify(post[0]?.error);
    expect(error).toMatch(/alert webhook answered 500/);
    expect(error).not.toContain(WEBHOOK_TOKEN);

    // Inngest retries the failed run: the same event again, and now the receiver takes it.
    await bus.deliver(raised[0] as (typeof raised)[number]);
    expect(received.slice(1).map((r) => r.status)).toEqual([500, 200]);
    expect(received[2]?.body).toMatchObject({
      status: "raised",
      kind: "deadline",
      asset: "snapshot",
      day: FRIDAY,
      metric: "daily_deadline",
      threshold: 3,
      link: `fintra why snapshot --date ${FRIDAY}`,
    });
    const [open] = await store.ledger.alerts({ status: "open", asset: "snapshot" });
    expect(open?.deliveredAt).not.toBeNull();

    // The watch again, and the same event sent twice: nobody is paged a second time.
    await bus.drain(watch);
    // (sent again with its id, as a retried step would: Inngest drops it)
    const again = raised[0] as (typeof raised)[number];
    await bus.client.send({ name: again.name, data: again.data, id: again.id as string });
    await bus.drain();
    expect(bus.dropped.map((e) => e.id)).toEqual([again.id]);
    expect(bus.sent.filter((e) => e.name === "fintra/alert.raised")).toHaveLength(2);
    expect(received.filter((r) => r.status === 200)).toHaveLength(2);

    // A healthy rerun of financials and everything below it: the day is done.
    t.failing.clear();
    await bus.drain({
      name: "fintra/asset.requested",
      data: { asset: "financials", partition: FRIDAY, downstream: true },
    });
    const resolved = bus.sent.filter((e) => e.name === "fintra/alert.resolved");
    expect(resolved.map((e) => [e.data.kind, e.data.asset]).sort()).toEqual([
      ["deadline", "snapshot"],
      ["failure", "financials"],
    ]);
    const told = received.filter((r) => r.body.status === "resolved").map((r) => r.body.kind);
    expect(told.sort()).toEqual(["deadline", "failure"]);
    expect(await store.ledger.alerts({ status: "open" })).toEqual([]);
    for (const r of received) expect(JSON.stringify(r.body)).not.toContain(WEBHOOK_TOKEN);
  });
});
