import { describe, expect, it } from "vitest";
import { defineAsset } from "../../runtime/define.ts";
import { AssetGraph, GraphError, SelectionError } from "../../runtime/graph.ts";

const node = (key: string, deps: string[] = []) =>
  defineAsset({
    key,
    description: key,
    deps,
    partitioned: true,
    materialize: async () => ({ rows: 0 }),
  });

const graph = new AssetGraph([
  node("fintra_universe"),
  node("datos_eod", ["fintra_universe"]),
  node("datos_financieros", ["fintra_universe"]),
  node("datos_performance", ["datos_eod"]),
  node("fintra_snapshots", ["datos_financieros", "datos_performance"]),
]);

describe("graph validation", () => {
  it("names duplicate keys", () => {
    expect(() => new AssetGraph([node("a"), node("a")])).toThrow(
      new GraphError("duplicate asset key: a"),
    );
  });
  it("names unknown deps with the asset that declares them", () => {
    expect(() => new AssetGraph([node("a", ["ghost"])])).toThrow("unknown dep: a -> ghost");
  });
  it("names the assets of a cycle", () => {
    const cyclic = () =>
      new AssetGraph([node("root"), node("a", ["root", "c"]), node("b", ["a"]), node("c", ["b"])]);
    expect(cyclic).toThrow(GraphError);
    expect(cyclic).toThrow(/cycle among: (a -> c -> b -> a|c -> b -> a -> c|b -> a -> c -> b)/);
  });
  it("refuses bad definitions at once", () => {
    expect(() => node("Bad-Key")).toThrow(/lower-case/);
    expect(() => node("a", ["a"])).toThrow(/depends on itself/);
    expect(() => node("a", ["b", "b"])).toThrow(/twice/);
  });
});

describe("dependency order", () => {
  it("puts every asset after its deps", () => {
    const position = new Map(graph.order.map((k, i) => [k, i]));
    for (const key of graph.order) {
      for (const dep of graph.get(key).deps)
        expect(position.get(dep)).toBeLessThan(position.get(key) as number);
    }
    expect(graph.roots()).toEqual(["fintra_universe"]);
  });
});

describe("selection syntax", () => {
  it("selects one asset, upstream, downstream, all and unions", () => {
    expect(graph.select("datos_eod")).toEqual(["datos_eod"]);
    expect(graph.select("+datos_performance")).toEqual([
      "fintra_universe",
      "datos_eod",
      "datos_performance",
    ]);
    expect(graph.select("datos_eod+")).toEqual([
      "datos_eod",
      "datos_performance",
      "fintra_snapshots",
    ]);
    expect(graph.select("*")).toEqual(graph.order);
    expect(graph.select("datos_eod, datos_financieros")).toEqual([
      "datos_eod",
      "datos_financieros",
    ]);
    expect(graph.select("+datos_eod+")).toHaveLength(4);
  });
  it("rejects unknown names listing close matches", () => {
    expect(() => graph.select("datos_eodd")).toThrow(
      new SelectionError('unknown asset "datos_eodd"; did you mean datos_eod?'),
    );
    expect(() => graph.select("snapshots")).toThrow(/did you mean fintra_snapshots/);
    expect(() => graph.select("zzz")).toThrow(/unknown asset "zzz"; run `fintra graph`/);
  });
  it("rejects malformed selections", () => {
    expect(() => graph.select("")).toThrow(SelectionError);
    expect(() => graph.select("a,,b")).toThrow(/empty selection term/);
    expect(() => graph.select("++a")).toThrow(/malformed selection/);
    expect(() => graph.select("a*")).toThrow(/malformed selection/);
  });
});
