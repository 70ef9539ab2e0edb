/**
 * The asset graph: validated at load (duplicate keys, unknown deps, cycles),
 * ordered by dependency, and queried with the selection syntax:
 *   `key` one asset, `+key` it and everything upstream, `key+` it and
 *   everything downstream, `*` all, and comma-separated unions of these.
 */
import { distance } from "fastest-levenshtein";
import type { AssetDefinition } from "./define.ts";

export class GraphError extends Error {
  override name = "GraphError";
}

/** A selection naming an asset that does not exist, or malformed. */
export class SelectionError extends Error {
  override name = "SelectionError";
}

export class AssetGraph {
  readonly assets: ReadonlyMap<string, AssetDefinition>;
  /** Every key, upstream before downstream; ties in declaration order. */
  readonly order: readonly string[];
  private readonly children = new Map<string, string[]>();

  constructor(definitions: readonly AssetDefinition[]) {
    const assets = new Map<string, AssetDefinition>();
    const duplicates = new Set<string>();
    for (const def of definitions) {
      if (assets.has(def.key)) duplicates.add(def.key);
      assets.set(def.key, def);
    }
    if (duplicates.size > 0) {
      throw new GraphError(`duplicate asset key: ${[...duplicates].join(", ")}`);
    }
    const unknown: string[] = [];
    for (const def of definitions) {
      for (const dep of def.deps) {
        if (!assets.has(dep)) unknown.push(`${def.key} -> ${dep}`);
      }
    }
    if (unknown.length > 0) throw new GraphError(`unknown dep: ${unknown.join(", ")}`);
    for (const def of definitions) this.children.set(def.key, []);
    for (const def of definitions) {
      for (const dep of def.deps) this.children.get(dep)?.push(def.key);
    }
    this.assets = assets;
    this.order = topologicalOrder(definitions);
  }

  get(key: string): AssetDefinition {
    const def = this.assets.get(key);
    if (!def) throw new SelectionError(unknownAssetMessage(key, [...this.assets.keys()]));
    return def;
  }

  /** Direct dependents of `key`. */
  dependents(key: string): readonly string[] {
    return this.children.get(key) ?? [];
  }

  /** `key` and everything it depends on, transitively. */
  upstreamOf(key: string): Set<string> {
    return this.walk(key, (k) => this.get(k).deps);
  }

  /** `key` and everything that depends on it, transitively. */
  downstreamOf(key: string): Set<string> {
    return this.walk(key, (k) => this.dependents(k));
  }

  /** The keys a selection names, in dependency order. Throws SelectionError on bad input. */
  select(selection: string): string[] {
    const terms = selection.split(",").map((t) => t.trim());
    if (selection.trim() === "" || terms.some((t) => t === "")) {
      throw new SelectionError(`empty selection term in "${selection}"`);
    }
    const chosen = new Set<string>();
    for (const term of terms) {
      if (term === "*") {
        for (const key of this.order) chosen.add(key);
        continue;
      }
      const match = /^(\+?)([^+*\s]+)(\+?)$/.exec(term);
      if (!match) {
        throw new SelectionError(`malformed selection "${term}": use key, +key, key+, +key+ or *`);
      }
      const [, up, key = "", down] = match;
      this.get(key);
      chosen.add(key);
      if (up) for (const k of this.upstreamOf(key)) chosen.add(k);
      if (down) for (const k of this.downstreamOf(key)) chosen.add(k);
    }
    return this.order.filter((key) => chosen.has(key));
  }

  /** Root assets: no deps. */
  roots(): string[] {
    return this.order.filter((key) => this.get(key).deps.length === 0);
  }

  private walk(start: string, next: (key: string) => readonly string[]): Set<string> {
    this.get(start);
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const key = stack.pop() as string;
      for (const n of next(key)) {
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return seen;
  }
}

/** Kahn's algorithm; on a cycle, names the assets caught in it. */
function topologicalOrder(definitions: readonly AssetDefinition[]): string[] {
  const remaining = new Map(definitions.map((d) => [d.key, new Set(d.deps)]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([key]) => key);
    if (ready.length === 0) {
      throw new GraphError(`dependency cycle among: ${describeCycle(remaining)}`);
    }
    for (const key of ready) {
      order.push(key);
      remaining.delete(key);
      for (const deps of remaining.values()) deps.delete(key);
    }
  }
  return order;
}

/** Follows deps from any stuck asset until one repeats: that loop is the cycle. */
function describeCycle(remaining: Map<string, Set<string>>): string {
  let key = remaining.keys().next().value as string;
  const path: string[] = [];
  while (!path.includes(key)) {
    path.push(key);
    key = [...(remaining.get(key) ?? [])][0] as string;
  }
  return [...path.slice(path.indexOf(key)), key].join(" -> ");
}

/** "unknown asset x; did you mean y, z?" with the closest names by edit distance. */
export function unknownAssetMessage(name: string, known: readonly string[]): string {
  const close = known
    .map((k) => ({
      k,
      d: Math.min(distance(name, k), k.includes(name) || name.includes(k) ? 2 : Infinity),
    }))
    .filter(({ d, k }) => d <= Math.max(2, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map(({ k }) => k);
  const hint =
    close.length > 0
      ? `; did you mean ${close.join(", ")}?`
      : "; run `fintra graph` to list assets";
  return `unknown asset "${name}"${hint}`;
}
