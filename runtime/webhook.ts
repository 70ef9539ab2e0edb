/**
 * Where alerts go: FINTRA_ALERT_WEBHOOK, posted as Slack-compatible JSON (`{"text": ...}`,
 * which Slack, Mattermost and Rocket.Chat incoming webhooks take) when the URL is Slack's
 * or FINTRA_ALERT_FORMAT=slack, else the alert itself as plain JSON. A webhook URL is a
 * secret (it carries its own token): it never appears in an error, a log line or a body.
 * FINTRA_PUBLIC_URL, when set, turns an alert's page path into a link.
 */
import pRetry, { AbortError } from "p-retry";
import { type AlertChange, alertFacts } from "./alerts.ts";

export interface WebhookSettings {
  url: string;
  format: "slack" | "json";
  /** The pages' base URL, for links; null leaves paths as they are. */
  publicUrl: string | null;
}

/** The webhook from the environment, or null when none is set. Throws one line on a bad URL. */
export function webhookSettings(
  env: Record<string, string | undefined> = process.env,
): WebhookSettings | null {
  const text = env.FINTRA_ALERT_WEBHOOK?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error("FINTRA_ALERT_WEBHOOK is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error("FINTRA_ALERT_WEBHOOK must be an http(s) URL");
  }
  const format = env.FINTRA_ALERT_FORMAT?.trim().toLowerCase();
  if (format && format !== "slack" && format !== "json") {
    throw new Error(`FINTRA_ALERT_FORMAT must be "slack" or "json", got "${format}"`);
  }
  const slack = url.hostname === "hooks.slack.com";
  const publicUrl = env.FINTRA_PUBLIC_URL?.trim().replace(/\/+$/, "") || null;
  return {
    url: text,
    format: (format as "slack" | "json" | undefined) ?? (slack ? "slack" : "json"),
    publicUrl,
  };
}

/** The link an alert points at: the page's URL when the pages' address is known. */
function linkOf(link: string, publicUrl: string | null): string {
  return publicUrl && link.startsWith("/") ? `${publicUrl}${link}` : link;
}

/** The body posted for one change. Built from the alert only: no setting is ever echoed. */
export function alertBody(
  change: AlertChange,
  settings: Pick<WebhookSettings, "format" | "publicUrl">,
) {
  const { alert, status } = change;
  const link = linkOf(alert.link, settings.publicUrl);
  if (settings.format === "slack") {
    const head =
      status === "raised"
        ? `:rotating_light: Fintra alert (${alert.kind})`
        : `:white_check_mark: Fintra resolved (${alert.kind})`;
    return { text: `${head}: ${alert.message}\n${link}` };
  }
  return { status, id: alert.id, ...alertFacts(alert), link };
}

class WebhookError extends Error {
  override name = "WebhookError";
  /** The receiver's HTTP status; null when it could not be reached. */
  readonly status: number | null;

  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

/** Posts one change; a non-2xx answer or a network error throws one line without the URL. */
export async function postAlert(
  settings: WebhookSettings,
  change: AlertChange,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  let res: Response;
  try {
    res = await fetchImpl(settings.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alertBody(change, settings)),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new WebhookError(`alert webhook unreachable: ${(error as Error).name}`, null);
  }
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw new WebhookError(`alert webhook answered ${res.status}`, res.status);
}

/**
 * In process (no Inngest to retry): each change posted with a few retries, backing off;
 * a 4xx other than 429 is not retried. Returns the changes that could not be delivered.
 */
export async function deliverInProcess(
  settings: WebhookSettings,
  changes: readonly AlertChange[],
  options: { retries?: number; minTimeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<{ delivered: AlertChange[]; failed: { change: AlertChange; error: string }[] }> {
  const delivered: AlertChange[] = [];
  const failed: { change: AlertChange; error: string }[] = [];
  for (const change of changes) {
    try {
      await pRetry(
        async () => {
          try {
            await postAlert(settings, change, options.fetchImpl);
          } catch (error) {
            // A 4xx (but 429) will not change on retry: a wrong URL, a revoked hook.
            const status = error instanceof WebhookError ? error.status : null;
            const permanent = status !== null && status >= 400 && status < 500 && status !== 429;
            throw permanent ? new AbortError((error as Error).message) : error;
          }
        },
        { retries: options.retries ?? 4, minTimeout: options.minTimeoutMs ?? 1_000, factor: 2 },
      );
      delivered.push(change);
    } catch (error) {
      failed.push({ change, error: (error as Error).message });
    }
  }
  return { delivered, failed };
}
