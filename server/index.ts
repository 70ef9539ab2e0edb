/**
 * Starting the server: the app on @hono/node-server (PORT, default 3000).
 * Outside dev mode Inngest needs a signing key; we refuse to start without
 * one rather than answer every Inngest request with a 500. The database is
 * opened on first use, and a failed open is tried again on the next use, so a
 * server started while the database is down heals when it comes back.
 */
import { type ServerType, serve } from "@hono/node-server";
import { graph } from "../assets/index.ts";
import { createFunctions } from "../functions/index.ts";
import { createInngestClient } from "../inngest.config.ts";
import { createLogger, type Logger } from "../runtime/log.ts";
import { openResources, type Resources } from "../runtime/resources.ts";
import { createApp } from "./app.ts";
import type { SendEvent } from "./requests.ts";

export class ServerConfigError extends Error {
  override name = "ServerConfigError";
}

/** Values of INNGEST_DEV that mean "not dev mode" (compared trimmed, in any case). */
const NOT_DEV = new Set(["", "0", "false", "no", "off"]);

/** Dev mode is INNGEST_DEV (1 or the dev server's URL); production needs INNGEST_SIGNING_KEY. */
export function checkInngestMode(env: NodeJS.ProcessEnv): "dev" | "cloud" {
  const dev = env.INNGEST_DEV?.trim().toLowerCase() ?? "";
  if (!NOT_DEV.has(dev)) return "dev";
  if (!env.INNGEST_SIGNING_KEY) {
    throw new ServerConfigError(
      "INNGEST_SIGNING_KEY is not set: set it for Inngest Cloud, or INNGEST_DEV=1 to use the local dev server",
    );
  }
  return "cloud";
}

/**
 * Opens on first use and shares the attempt with everyone who asks meanwhile; a
 * rejected attempt is forgotten, so the next caller tries again.
 */
export function openOnDemand<T>(open: () => Promise<T>): {
  get: () => Promise<T>;
  /** The successful open, if any (waiting for one in flight). */
  settled: () => Promise<T | null>;
} {
  let attempt: Promise<T> | null = null;
  const get = () => {
    if (!attempt) {
      const current = open();
      attempt = current;
      current.catch(() => {
        if (attempt === current) attempt = null;
      });
    }
    return attempt;
  };
  const settled = async () => {
    const current = attempt;
    return current ? current.catch(() => null) : null;
  };
  return { get, settled };
}

export interface StartedServer {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

/** Builds every function from the registry and serves them with the health check. */
export async function startServer(
  options: {
    port?: number;
    /** The interface to listen on (default: every interface). */
    hostname?: string;
    env?: NodeJS.ProcessEnv;
    /** The database and clients (default: openResources(env)); tests inject their own. */
    openResources?: (env: NodeJS.ProcessEnv) => Promise<Resources>;
    log?: Logger;
    /** How events are sent (default: the Inngest client; the demo runs them in process). */
    send?: SendEvent;
  } = {},
): Promise<StartedServer> {
  const env = options.env ?? process.env;
  const mode = checkInngestMode(env);
  const log = options.log ?? createLogger({ level: env.LOG_LEVEL ?? "info" });
  const open = options.openResources ?? ((e: NodeJS.ProcessEnv) => openResources(e, log));
  const opened = openOnDemand(() => open(env));
  const resources = opened.get;
  // The SDK alone would read INNGEST_DEV=no or =off as a dev server URL (http://no) and
  // skip request signing: the mode we checked is the mode it runs in.
  const client = createInngestClient({ isDev: mode === "dev" });
  const functions = createFunctions({ client, graph, resources });
  const app = createApp({
    client,
    functions,
    graph,
    resources,
    adminToken: env.FINTRA_ADMIN_TOKEN || undefined,
    dev: mode === "dev",
    log,
    ...(options.send ? { send: options.send } : {}),
  });
  const port = options.port ?? Number(env.PORT ?? 3000);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      { fetch: app.fetch, port, ...(options.hostname ? { hostname: options.hostname } : {}) },
      () => resolve(s),
    );
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://localhost:${actualPort}`,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await (await opened.settled())?.db.close();
    },
  };
}
