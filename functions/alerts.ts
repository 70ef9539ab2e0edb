/**
 * Alerts under Inngest: one function posts every opened or resolved alert to the webhook
 * (FINTRA_ALERT_WEBHOOK) and records the delivery in the ledger, retried by Inngest when
 * the receiver fails; another watches the day every 15 minutes on weekdays (its deadline,
 * runs over budget) and announces what it opens or resolves. Assets announce their own
 * (asset-function.ts): threshold checks and durations after a commit, failures after
 * retries. Event ids carry the alert's id and time, so a repeated send pages once.
 */
import type { Inngest } from "inngest";
import { alertRaised, alertResolved, parseEventData } from "../inngest.config.ts";
import {
  type AlertChange,
  alertFacts,
  alertSettings,
  applyConditions,
  watchConditions,
} from "../runtime/alerts.ts";
import type { AssetGraph } from "../runtime/graph.ts";
import type { Resources } from "../runtime/resources.ts";
import { postAlert, webhookSettings } from "../runtime/webhook.ts";
import { EVENTS } from "./triggers.ts";

/** The watch's schedule: New York business hours and evenings, where the day's deadline falls. */
const WATCH_CRON = "TZ=America/New_York */15 * * * 1-5";

/** The event that tells one change (its id makes a second send of it a no-op). */
export function alertEvent(change: AlertChange) {
  const { alert } = change;
  const data = { alertId: alert.id, ...alertFacts(alert) };
  return change.status === "raised"
    ? alertRaised.create(data, { id: `alert-${alert.id}-${alert.raisedAt}` })
    : alertResolved.create(data, { id: `alert-resolved-${alert.id}-${alert.resolvedAt}` });
}

interface AlertFunctionsOptions {
  client: Inngest;
  graph: AssetGraph;
  resources: () => Promise<Resources>;
}

export function createAlertFunctions({ client, graph, resources }: AlertFunctionsOptions) {
  const deliver = client.createFunction(
    {
      id: "alert-webhook",
      name: "alerts: post to the webhook",
      description: "Posts opened and resolved alerts to FINTRA_ALERT_WEBHOOK",
      triggers: [{ event: EVENTS.alertRaised }, { event: EVENTS.alertResolved }],
      // A receiver that answers 500 or times out is tried again, backing off.
      retries: 6,
    },
    async ({ event, step }) => {
      const raised = event.name === EVENTS.alertRaised;
      const data = parseEventData(
        event.name,
        (raised ? alertRaised : alertResolved).schema,
        event.data,
      );
      const settings = webhookSettings(process.env);
      if (!settings) return { delivered: false, reason: "FINTRA_ALERT_WEBHOOK is not set" };
      const change: AlertChange = {
        status: raised ? "raised" : "resolved",
        alert: {
          id: data.alertId,
          kind: data.kind,
          asset: data.asset,
          day: data.day,
          metric: data.metric,
          observed: data.observed,
          threshold: data.threshold,
          message: data.message,
          link: data.link,
          status: raised ? "open" : "resolved",
          raisedAt: data.raisedAt,
          resolvedAt: data.resolvedAt,
          deliveredAt: null,
          resolutionDeliveredAt: null,
        },
      };
      await step.run("post", () => postAlert(settings, change));
      await step.run("record-delivery", async () => {
        const { db } = await resources();
        await db.ledger.noteAlertDelivered(data.alertId, change.status);
      });
      return { delivered: true, status: change.status, alertId: data.alertId };
    },
  );

  const watch = client.createFunction(
    {
      id: "alert-watch",
      name: "alerts: the day's deadline and run budgets",
      description:
        "Raises an alert when the day is not done by its deadline or a run is over budget",
      triggers: [{ cron: WATCH_CRON }],
      retries: 2,
    },
    async ({ step }) => {
      const changes = await step.run("evaluate", async () => {
        const { db, now } = await resources();
        const found = await watchConditions(db, graph, now(), alertSettings());
        return (await applyConditions(db, found)).map(alertEvent);
      });
      if (changes.length > 0) await step.sendEvent("tell-alerts", changes);
      return { alerts: changes.length };
    },
  );

  return [deliver, watch];
}
