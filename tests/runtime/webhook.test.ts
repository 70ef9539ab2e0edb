/**
 * The alert webhook in process: Slack-compatible or plain JSON bodies, retries on 5xx
 * and network errors (not on a 4xx but 429), and no secret in a body or an error.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../db/index.ts";
import type { AlertChange } from "../../runtime/alerts.ts";
import { alertBody, deliverInProcess, webhookSettings } from "../../runtime/webhook.ts";

const SECRET = "T0/B0/xoxb-webhook-secret-42";
let server: Server;
let base: string;
const answers: number[] = [];
const bodies: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const alert: Alert = {
  id: "a1",
  kind: "threshold",
  asset: "fintra_snapshots",
  day: "2026-11-27",
  metric: "guide_snapshots",
  observed: 20,
  threshold: 48,
  message: "fintra_snapshots 2026-11-27: snapshots of the day: 20, alert below 48",
  link: "/assets/fintra_snapshots",
  status: "open",
  raisedAt: "2026-11-27T23:00:00.000Z",
  resolvedAt: null,
  deliveredAt: null,
  resolutionDeliveredAt: null,
};
const raised: AlertChange = { status: "raised", alert };

describe("the alert webhook", () => {
  it("reads its settings from the environment and refuses a bad URL in one line", () => {
    expect(webhookSettings({})).toBeNull();
    expect(
      webhookSettings({ FINTRA_ALERT_WEBHOOK: `https://hooks.slack.com/services/${SECRET}` })
        ?.format,
    ).toBe("slack");
    expect(webhookSettings({ FINTRA_ALERT_WEBHOOK: `${base}/${SECRET}` })?.format).toBe("json");
    expect(() => webhookSettings({ FINTRA_ALERT_WEBHOOK: `not a url ${SECRET}` })).toThrow(
      /^FINTRA_ALERT_WEBHOOK is not a URL$/,
    );
    expect(() =>
      webhookSettings({ FINTRA_ALERT_WEBHOOK: base, FINTRA_ALERT_FORMAT: "xml" }),
    ).toThrow(/FINTRA_ALERT_FORMAT/);
  });

  it("posts Slack-compatible text or the alert as JSON, with the page's link", () => {
    const slack = alertBody(raised, { format: "slack", publicUrl: "https://fintra.example" });
    expect(slack).toEqual({
      text: expect.stringMatching(
        /^:rotating_light: Fintra alert \(threshold\): fintra_snapshots 2026-11-27: .*\nhttps:\/\/fintra\.example\/assets\/fintra_snapshots$/,
      ),
    });
    const json = alertBody({ status: "resolved", alert }, { format: "json", publicUrl: null });
    expect(json).toMatchObject({
      status: "resolved",
      kind: "threshold",
      observed: 20,
      threshold: 48,
      link: "/assets/fintra_snapshots",
    });
  });

  it("retries a receiver that answers 500, and gives up at once on a 404", async () => {
    const settings = { url: `${base}/hooks/${SECRET}`, format: "json" as const, publicUrl: null };
    bodies.length = 0;
    answers.push(500, 502);
    const ok = await deliverInProcess(settings, [raised], { retries: 3, minTimeoutMs: 1 });
    expect(ok.delivered).toEqual([raised]);
    expect(bodies).toHaveLength(3);
    bodies.length = 0;
    answers.push(404);
    const gone = await deliverInProcess(settings, [raised], { retries: 3, minTimeoutMs: 1 });
    expect(gone.failed.map((f) => f.error)).toEqual(["alert webhook answered 404"]);
    expect(bodies).toHaveLength(1);
    for (const body of bodies) expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("names no URL when the receiver cannot be reached", async () => {
    const settings = {
      url: `http://127.0.0.1:1/hooks/${SECRET}`,
      format: "json" as const,
      publicUrl: null,
    };
    const down = await deliverInProcess(settings, [raised], { retries: 1, minTimeoutMs: 1 });
    expect(down.failed[0]?.error).toMatch(/^alert webhook unreachable: \w+$/);
    expect(down.failed[0]?.error).not.toContain(SECRET);
  });
});
