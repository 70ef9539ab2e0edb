/** `fintra serve` and `fintra sandbox`: the long-running processes. */
import { serveSandboxStandalone } from "../../sources/sandbox/index.ts";
import { positiveInt, type RegisterCommand } from "../context.ts";
import { line, UsageError } from "../io.ts";
import { parsePort } from "../options.ts";

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

export const registerServe: RegisterCommand = (program, ctx) => {
  program
    .command("serve")
    .description("serve the Inngest endpoint and /health (PORT, default 3000)")
    .option("--port <port>", "port to listen on")
    .action(async (opts) => {
      const { startServer, ServerConfigError } = await import("../../server/index.ts");
      const port = opts.port !== undefined ? parsePort(opts.port) : undefined;
      try {
        const server = await startServer({
          env: ctx.io.env,
          ...(port !== undefined ? { port } : {}),
        });
        line(ctx.io.stderr, `fintra serving ${server.url}/api/inngest and ${server.url}/health`);
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
