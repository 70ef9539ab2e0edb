/**
 * A stand-in for the Inngest server in tests: every event a function sends
 * (through the client's fetch) is queued, and each queued event is fed to
 * the functions whose triggers match it, evaluated with a real CEL library.
 * Runs go through @inngest/test's engine, one fresh engine per execution.
 */
import { InngestTestEngine } from "@inngest/test";
import { evaluate } from "@marcbachmann/cel-js";
import type { InngestFunction } from "inngest";
import { createInngestClient } from "../../inngest.config.ts";

export interface BusEvent {
  name: string;
  id?: string;
  data: Record<string, unknown>;
}

type Trigger = { event?: string | { name: string }; if?: string; cron?: string };

export interface Execution {
  functionId: string;
  event: BusEvent;
  result: unknown;
  error: unknown;
  /** Steps the run memoized (step.run, sendEvent, ...), as Inngest counts them. */
  steps: number;
  /** JSON bytes of every step's output, summed, and of the largest one. */
  stepOutputBytes: number;
  largestStepOutputBytes: number;
}

export const CRON_EVENT = "inngest/scheduled.timer";

let eventSeq = 0;

/** UTF-8 bytes of a value as Inngest would store it (JSON). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
}

/** Step count and output sizes from the engine's memoized state (one entry per step). */
async function stepFigures(state: Record<string, Promise<unknown>>) {
  let stepOutputBytes = 0;
  let largestStepOutputBytes = 0;
  const outputs = await Promise.all(
    Object.values(state).map((p) =>
      p.then(
        (v) => v,
        (e: unknown) => ({ error: String(e) }),
      ),
    ),
  );
  for (const output of outputs) {
    const bytes = jsonBytes(output);
    stepOutputBytes += bytes;
    largestStepOutputBytes = Math.max(largestStepOutputBytes, bytes);
  }
  return { steps: outputs.length, stepOutputBytes, largestStepOutputBytes };
}

export class InngestBus {
  readonly sent: BusEvent[] = [];
  /** Events dropped as duplicates of an id already sent. */
  readonly dropped: BusEvent[] = [];
  private readonly seenIds = new Set<string>();
  readonly executions: Execution[] = [];
  private readonly queue: BusEvent[] = [];
  /** The client to build functions with: its sends land on this bus. */
  readonly client = createInngestClient({
    isDev: true,
    fetch: (async (_url: string | URL | Request, init?: RequestInit) => {
      const events = JSON.parse(String(init?.body)) as BusEvent[];
      for (const event of events) {
        // Like Inngest, an event whose id was already seen is dropped.
        if (event.id && this.seenIds.has(event.id)) {
          this.dropped.push(event);
          continue;
        }
        const withId = { ...event, id: event.id ?? `evt-${++eventSeq}` };
        this.seenIds.add(withId.id);
        this.sent.push(withId);
        this.queue.push(withId);
      }
      return new Response(JSON.stringify({ ids: events.map(() => "id"), status: 200 }), {
        status: 200,
      });
    }) as typeof fetch,
  });
  private functions: InngestFunction.Any[] = [];

  register(functions: InngestFunction.Any[]): void {
    this.functions = functions;
  }

  /** Does `fn` trigger on `event`? Cron triggers match the scheduler's timer event. */
  matches(fn: InngestFunction.Any, event: BusEvent): boolean {
    const triggers = (fn.opts as { triggers?: Trigger[] }).triggers ?? [];
    return triggers.some((trigger) => {
      if (trigger.cron) return event.name === CRON_EVENT && event.data.function === fn.id();
      const name = typeof trigger.event === "string" ? trigger.event : trigger.event?.name;
      if (name !== event.name) return false;
      return trigger.if ? evaluate(trigger.if, { event }) === true : true;
    });
  }

  /** Runs every function `event` triggers, in registration order. */
  async deliver(event: BusEvent): Promise<Execution[]> {
    const ran: Execution[] = [];
    for (const fn of this.functions.filter((f) => this.matches(f, event))) {
      const engine = new InngestTestEngine({ function: fn });
      const { result, error, state } = await engine.execute({
        events: [{ ...event, id: event.id ?? `evt-${++eventSeq}` }],
      });
      const execution = {
        functionId: fn.id(),
        event,
        result,
        error,
        ...(await stepFigures(state)),
      };
      this.executions.push(execution);
      ran.push(execution);
    }
    return ran;
  }

  /**
   * Feeds `event` (none: the events already sent to the bus), then every event sent as a
   * consequence, until the queue is empty.
   */
  async drain(event?: BusEvent, maxEvents = 200): Promise<void> {
    if (event) this.queue.push(event);
    let delivered = 0;
    while (this.queue.length > 0) {
      if (++delivered > maxEvents)
        throw new Error(`more than ${maxEvents} events: a trigger loop?`);
      await this.deliver(this.queue.shift() as BusEvent);
    }
  }
}
