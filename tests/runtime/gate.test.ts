/** Every branch of the fan-in gate's decision, on ledger facts built by hand. */
import { describe, expect, it } from "vitest";
import type { Materialization } from "../../db/index.ts";
import { type DepState, decideGate, STALE_RUNNING_MS } from "../../runtime/gate.ts";

const NOW = new Date("2026-01-05T23:00:00Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

let seq = 0;
function m(asset: string, over: Partial<Materialization> = {}): Materialization {
  seq += 1;
  return {
    id: `${asset}-${seq}`,
    asset,
    partition: "2026-01-05",
    runDate: "2026-01-05",
    scope: null,
    scopeKey: "",
    status: "succeeded",
    trigger: "test",
    executor: "in-process",
    runId: null,
    startedAt: at(60),
    finishedAt: at(50),
    rows: 1,
    metadata: {},
    upstream: [],
    checksPassed: null,
    error: null,
    ...over,
  };
}

const dep = (asset: string, over: Partial<DepState> = {}): DepState => ({
  asset,
  latest: m(asset),
  running: null,
  failed: null,
  ...over,
});

const decide = (deps: DepState[], self: Materialization | null = null, force = false) =>
  decideGate({ deps, self, force, now: NOW });

describe("decideGate", () => {
  it("runs a root that never ran, and skips it once materialized", () => {
    expect(decide([])).toMatchObject({ decision: "run", reason: "not materialized yet" });
    expect(decide([], m("root"))).toMatchObject({
      decision: "skip",
      reason: "up to date: already materialized",
    });
  });

  it("waits for deps with no materialization, naming them", () => {
    const out = decide([dep("a"), dep("b", { latest: null }), dep("c", { latest: null })]);
    expect(out).toMatchObject({
      decision: "wait",
      reason: "waiting for b, c",
      missing: ["b", "c"],
    });
  });

  it("waits while a dep runs, even when an older success exists", () => {
    const a = dep("a", {
      running: m("a", { status: "running", startedAt: at(5), finishedAt: null }),
    });
    const out = decide([a, dep("b")]);
    expect(out).toMatchObject({
      decision: "wait",
      reason: "a in progress",
      inProgress: ["a"],
      missing: [],
    });
  });

  it("ignores a running row older than the success, or stale past the limit", () => {
    const older = dep("a", {
      running: m("a", { status: "running", startedAt: at(120), finishedAt: null }),
    });
    expect(decide([older]).decision).toBe("run");
    const staleMinutes = STALE_RUNNING_MS / 60_000 + 1;
    const stale = dep("a", {
      latest: null,
      running: m("a", { status: "running", startedAt: at(staleMinutes), finishedAt: null }),
    });
    expect(decide([stale])).toMatchObject({ decision: "wait", missing: ["a"] });
  });

  it("waits when a dep's last run failed after its last success (no stale inputs)", () => {
    const failed = dep("a", {
      failed: m("a", { status: "failed", startedAt: at(10), finishedAt: at(9) }),
    });
    expect(decide([failed, dep("b")])).toMatchObject({
      decision: "wait",
      reason: "last run of a failed",
      blocked: ["a"],
    });
    const recovered = dep("a", {
      failed: m("a", { status: "failed", startedAt: at(90), finishedAt: at(89) }),
    });
    expect(decide([recovered]).decision).toBe("run");
  });

  it("waits when a dep failed an error-severity check", () => {
    const checked = dep("a", { latest: m("a", { checksPassed: false }) });
    expect(decide([checked])).toMatchObject({
      decision: "wait",
      reason: "a failed an error-severity check",
      blocked: ["a"],
    });
  });

  it("combines reasons when several deps are not ready", () => {
    const out = decide([
      dep("a", { latest: null }),
      dep("b", { running: m("b", { status: "running", startedAt: at(1), finishedAt: null }) }),
    ]);
    expect(out.reason).toBe("waiting for a; b in progress");
  });

  it("runs when all deps are materialized and it never ran, recording what it reads", () => {
    const a = dep("a");
    const b = dep("b");
    const out = decide([a, b]);
    expect(out).toMatchObject({ decision: "run", reason: "all deps materialized" });
    expect(out.upstream.map((u) => u.id)).toEqual([a.latest?.id, b.latest?.id]);
  });

  it("skips when nothing is newer than what it last read", () => {
    const a = dep("a");
    const b = dep("b");
    const self = m("self", {
      upstream: [a, b].map((d) => ({
        asset: d.asset,
        id: d.latest?.id as string,
        partition: "2026-01-05",
        runDate: "2026-01-05",
      })),
    });
    expect(decide([a, b], self)).toMatchObject({
      decision: "skip",
      reason: "up to date: no dep is newer than what it last read",
    });
  });

  it("runs when one dep is newer than what it last read, naming it", () => {
    const a = dep("a");
    const b = dep("b");
    const self = m("self", {
      upstream: [
        { asset: "a", id: a.latest?.id as string, partition: null, runDate: "2026-01-05" },
        { asset: "b", id: "b-old", partition: null, runDate: "2026-01-05" },
      ],
    });
    expect(decide([a, b], self)).toMatchObject({ decision: "run", reason: "newer upstream: b" });
  });

  it("force runs an up-to-date asset but never one whose deps are missing", () => {
    const a = dep("a");
    const self = m("self", {
      upstream: [
        { asset: "a", id: a.latest?.id as string, partition: null, runDate: "2026-01-05" },
      ],
    });
    expect(decide([a], self, true)).toMatchObject({ decision: "run", reason: "forced" });
    expect(decide([dep("a", { latest: null })], null, true).decision).toBe("wait");
  });

  it("reruns an up-to-date asset whose own last run failed after its success", () => {
    const a = dep("a");
    const self = m("self", {
      upstream: [
        { asset: "a", id: a.latest?.id as string, partition: null, runDate: "2026-01-05" },
      ],
    });
    const killed = m("self", { status: "failed", startedAt: at(10), error: "abandoned" });
    const outcome = decideGate({ deps: [a], self, selfFailed: killed, force: false, now: NOW });
    expect(outcome).toMatchObject({ decision: "run", reason: "its last run failed" });
    const older = m("self", { status: "failed", startedAt: at(90) });
    const fresh = decideGate({ deps: [a], self, selfFailed: older, force: false, now: NOW });
    expect(fresh.decision).toBe("skip");
    expect(decideGate({ deps: [], self, selfFailed: killed, force: false, now: NOW }).reason).toBe(
      "its last run failed",
    );
  });

  it("reruns an asset whose last success failed an error-severity check", () => {
    const a = dep("a");
    const upstream = [
      { asset: "a", id: a.latest?.id as string, partition: null, runDate: "2026-01-05" },
    ];
    const checked = m("self", { upstream, checksPassed: false });
    expect(
      decideGate({ deps: [a], self: checked, selfFailed: null, force: false, now: NOW }),
    ).toMatchObject({ decision: "run", reason: "its last run failed an error-severity check" });
    const passed = m("self", { upstream, checksPassed: true });
    expect(
      decideGate({ deps: [a], self: passed, selfFailed: null, force: false, now: NOW }).decision,
    ).toBe("skip");
  });
});
