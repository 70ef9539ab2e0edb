/**
 * Admin routes need `Authorization: Bearer $FINTRA_ADMIN_TOKEN`, compared in
 * constant time. Without a configured token they are open only in dev mode.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/** Hashing first gives equal-length buffers, so the comparison leaks no length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function adminAuth(options: { token: string | undefined; dev: boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (!options.token) {
      if (options.dev) return next();
      return c.json(
        { error: "FINTRA_ADMIN_TOKEN is not configured: admin routes are closed" },
        503,
      );
    }
    const header = c.req.header("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    if (!given || !sameSecret(given, options.token)) return c.json({ error: "unauthorized" }, 401);
    return next();
  };
}
