/**
 * Alerts at the terminal: the ones a command opened or resolved, printed after its
 * summary and posted to FINTRA_ALERT_WEBHOOK when one is set (in process there is no
 * Inngest to do it; runtime/webhook.ts retries). The exit code says when one opened.
 */
import type { Alert, Store } from "../db/index.ts";
import type { AlertChange } from "../runtime/alerts.ts";
import { deliverInProcess, webhookSettings } from "../runtime/webhook.ts";
import { line, table } from "./io.ts";

/** Exit code of a command that opened an alert and had nothing fail. */
export const ALERT_EXIT = 4;

const figure = (v: number | null) => (v === null ? "" : String(Math.round(v * 1000) / 1000));

export function alertTable(alerts: readonly Alert[]): string {
  return table(
    ["kind", "asset", "day", "metric", "observed", "threshold", "message"],
    alerts.map((a) => [
      a.kind,
      a.asset,
      a.day,
      a.metric,
      figure(a.observed),
      figure(a.threshold),
      a.message,
    ]),
  );
}

/** Prints what changed and delivers it; the alert ids delivered are recorded in the ledger. */
export async function reportAlerts(
  changes: readonly AlertChange[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
  db: Store,
): Promise<void> {
  if (changes.length === 0) return;
  const raised = changes.filter((c) => c.status === "raised").map((c) => c.alert);
  const resolved = changes.filter((c) => c.status === "resolved").map((c) => c.alert);
  if (raised.length > 0)
    line(io.stdout, `\n${raised.length} alert(s) raised:\n${alertTable(raised)}`);
  if (resolved.length > 0) {
    line(
      io.stdout,
      `\n${resolved.length} alert(s) resolved: ${resolved.map((a) => `${a.kind} ${a.asset} ${a.day} ${a.metric}`).join("; ")}`,
    );
  }
  const settings = webhookSettings(io.env);
  if (!settings) return;
  const { delivered, failed } = await deliverInProcess(settings, changes);
  for (const c of delivered) await db.ledger.noteAlertDelivered(c.alert.id, c.status);
  for (const f of failed)
    line(
      io.stderr,
      `alert not delivered (${f.change.alert.kind} ${f.change.alert.asset}): ${f.error}`,
    );
}
