/**
 * Starting the server: the app on @hono/node-server (PORT, default 3000).
 * Outside dev mode Inngest needs a signing key; we refuse to start without
 * one rather than answer every Inngest request with a 500.
 */
import { type ServerType, serve } from "@hono/node-server";
import { graph } from "../assets/index.ts";
import { openResources, type Resources } from "../assets/resources.ts";
import { createFunctions } from "../functions/index.ts";
import { inngest } from "../inngest.config.ts";
import { createApp } from "./app.ts";

export class ServerConfigError extends Error {
  override name = "ServerConfigError";
}

/** Dev mode is INNGEST_DEV (1 or the dev server's URL); production needs INNGEST_SIGNING_KEY. */
export function checkInngestMode(env: NodeJS.ProcessEnv): "dev" | "cloud" {
  const dev = env.INNGEST_DEV;
  if (dev && dev !== "0" && dev !== "false") return "dev";
  if (!env.INNGEST_SIGNING_KEY) {
    throw new ServerConfigError(
      "INNGEST_SIGNING_KEY is not set: set it for Inngest Cloud, or INNGEST_DEV=1 to use the local dev server",
    );
  }
  return "cloud";
}

export interface StartedServer {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

/** Builds every function from the registry and serves them with the health check. */
export async function startServer(
  options: { port?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<StartedServer> {
  const env = options.env ?? process.env;
  const mode = checkInngestMode(env);
  let opened: Promise<Resources> | null = null;
  const resources = () => {
    opened ??= openResources(env);
    return opened;
  };
  const functions = createFunctions({ client: inngest, graph, resources });
  const app = createApp({
    client: inngest,
    functions,
    graph,
    resources,
    adminToken: env.FINTRA_ADMIN_TOKEN || undefined,
    dev: mode === "dev",
  });
  const port = options.port ?? Number(env.PORT ?? 3000);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port }, () => resolve(s));
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://localhost:${actualPort}`,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (opened) await (await opened).db.close();
    },
  };
}
