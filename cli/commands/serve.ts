/** `fintra serve` and `fintra sandbox`: the long-running processes. */
import { createLogger } from "../../runtime/log.ts";
import type { Resources } from "../../runtime/resources.ts";
import { serveSandboxStandalone } from "../../sources/sandbox/index.ts";
import { type CommandContext, positiveInt, type RegisterCommand } from "../context.ts";
import { inProcessEvents } from "../in-process-events.ts";
import { line, UsageError } from "../io.ts";
import { parsePort } from "../options.ts";

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/**
 * The pages and the admin API on `resources` (the demo's store and sandbox) until
 * Ctrl-C, in dev mode, with events run in this process: there is no Inngest here.
 */
export async function servePages(ctx: CommandContext, resources: Resources, port: number) {
  const { startServer } = await import("../../server/index.ts");
  const env: NodeJS.ProcessEnv = { ...ctx.io.env, INNGEST_DEV: "1" };
  const log = createLogger({ level: env.LOG_LEVEL ?? "info" });
  const events = inProcessEvents(ctx.deps.graph, resources, log);
  const server = await startServer({
    env,
    port,
    // Dev mode opens the pages without a token: only this machine may reach them.
    hostname: "127.0.0.1",
    log,
    openResources: async () => resources,
    send: events.send,
  });
  line(ctx.io.stderr, `\nThe operator's pages: ${server.url}/ (Ctrl-C to stop)`);
  await untilSignal();
  await events.idle();
  // The demo closes its own store: the server lets go of the port only.
  await new Promise<void>((resolve) => server.server.close(() => resolve()));
}

export const registerServe: RegisterCommand = (program, ctx) => {
  program
    .command("serve")
    .description(
      "serve the pages, the admin API, the Inngest endpoint and /health (PORT, default 3000)",
    )
    .option("--port <port>", "port to listen on")
    .action(async (opts) => {
      const { startServer, ServerConfigError } = await import("../../server/index.ts");
      const port = opts.port !== undefined ? parsePort(opts.port) : undefined;
      try {
        const server = await startServer({
          env: ctx.io.env,
          ...(port !== undefined ? { port } : {}),
        });
        line(
          ctx.io.stderr,
          `fintra serving the pages at ${server.url}/, ${server.url}/api/inngest and ${server.url}/health`,
        );
        await untilSignal();
        await server.close();
      } catch (error) {
        if (error instanceof ServerConfigError) throw new UsageError(error.message);
        throw error;
      }
    });

  program
    .command("sandbox")
    .description("serve the synthetic FMP market on loopback (point FMP_BASE_URL at it)")
    .option("--tickers <N>", "instruments in the market (at most 50,000)", "500")
    .option("--port <port>", "port to listen on (0: any free port)", "0")
    .option("--seed <N>", "seed of the market", "42")
    .action(async (opts) => {
      const tickers = positiveInt(opts.tickers, "--tickers");
      if (tickers > 50_000) throw new UsageError("--tickers must be at most 50,000");
      const server = await serveSandboxStandalone({
        tickers,
        port: parsePort(opts.port),
        seed: positiveInt(opts.seed, "--seed"),
        print: (text) => line(ctx.io.stderr, text),
      });
      await untilSignal();
      await server.close();
    });
};
