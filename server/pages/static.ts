/**
 * The pages' scripts and styles, read from installed packages and this folder
 * at start: nothing is fetched from the internet, so the pages work offline.
 * Only the names below are served.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

const here = dirname(fileURLToPath(import.meta.url));
// uPlot's package has no "exports" map: its dist files resolve by path.
const uplotDir = dirname(createRequire(import.meta.url).resolve("uplot/package.json"));

const FILES: Record<string, { path: string; type: string }> = {
  "uplot.js": { path: join(uplotDir, "dist/uPlot.iife.min.js"), type: "text/javascript" },
  "uplot.css": { path: join(uplotDir, "dist/uPlot.min.css"), type: "text/css" },
  "charts.js": { path: join(here, "static/charts.js"), type: "text/javascript" },
  "fintra.css": { path: join(here, "static/fintra.css"), type: "text/css" },
};

/** The stylesheet the login page needs: the one file served before sign-in. */
export const PUBLIC_STATIC = "fintra.css";

const bodies = new Map(
  Object.entries(FILES).map(([name, f]) => [name, { body: readFileSync(f.path), type: f.type }]),
);

/** Serves `/:file` for the names above; anything else is a 404. */
export function staticRoutes(): Hono {
  const app = new Hono();
  app.get("/:file", (c) => {
    const file = bodies.get(c.req.param("file"));
    if (!file) return c.text("not found", 404);
    return c.body(file.body, 200, {
      "content-type": `${file.type}; charset=utf-8`,
      "cache-control": "public, max-age=3600",
    });
  });
  return app;
}
