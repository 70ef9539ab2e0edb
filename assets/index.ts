/**
 * The registry: every asset of Fintra's daily graph, one file each, named
 * after its table. The graph is validated when this module loads.
 */
import type { AssetDefinition } from "./define.ts";
import { AssetGraph } from "./graph.ts";

export const assets: AssetDefinition[] = [];

export const graph = new AssetGraph(assets);
