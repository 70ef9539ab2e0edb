/**
 * Who may open the pages and send their forms. The admin token is the only
 * credential: sent as `Authorization: Bearer`, or typed once into /login, which
 * keeps a value derived from it (never the token itself) in an HttpOnly,
 * SameSite=Strict cookie. Without a configured token the pages are open in dev
 * mode and closed otherwise, like the admin API.
 *
 * Forms carry a CSRF token bound to the session; POSTs must also come from this
 * origin (hono/csrf checks Origin), so a page elsewhere cannot drive them.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sameSecret } from "../admin-auth.ts";

const SESSION_COOKIE = "fintra_session";
/** A working day and a half: an operator logs in once a day. */
const SESSION_SECONDS = 36 * 60 * 60;

export interface PageAuth {
  /** FINTRA_ADMIN_TOKEN, if configured. */
  token: string | undefined;
  dev: boolean;
}

export type Access = "open" | "closed" | "signed-in" | "anonymous";

// Dev mode without a token has no secret to bind CSRF tokens to: one per process.
const processSecret = randomBytes(32).toString("hex");

const hmac = (key: string, message: string) =>
  createHmac("sha256", key).update(message).digest("base64url");

/** The cookie's value: proves the token was typed, cannot be turned back into it. */
export function sessionValue(token: string): string {
  return hmac(token, "fintra pages session v1");
}

/** Whether the request may read the pages and send their forms. */
export function access(c: Context, auth: PageAuth): Access {
  if (!auth.token) return auth.dev ? "open" : "closed";
  const header = c.req.header("authorization") ?? "";
  if (header.startsWith("Bearer ")) {
    return sameSecret(header.slice("Bearer ".length), auth.token) ? "signed-in" : "anonymous";
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie && sameSecret(cookie, sessionValue(auth.token)) ? "signed-in" : "anonymous";
}

/** The token a form must carry: bound to the session (or the process in open dev mode). */
export function csrfToken(c: Context, auth: PageAuth): string {
  const session = auth.token ? sessionValue(auth.token) : processSecret;
  return hmac(session, `csrf:${getCookie(c, SESSION_COOKIE) ?? "bearer"}`);
}

export function validCsrf(c: Context, auth: PageAuth, given: unknown): boolean {
  return typeof given === "string" && given !== "" && sameSecret(given, csrfToken(c, auth));
}

export function startSession(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, sessionValue(token), {
    httpOnly: true,
    sameSite: "Strict",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: SESSION_SECONDS,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/** A path on this site to return to after login; anything else goes home. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}

/**
 * Guards every page: closed without a token outside dev mode (503), to /login
 * without a session (a GET), 401 for anything else.
 */
export function requireAccess(
  auth: PageAuth,
  closed: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return async (c, next) => {
    const who = access(c, auth);
    if (who === "open" || who === "signed-in") return next();
    if (who === "closed") return closed(c);
    if (c.req.method === "GET") {
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    return c.text("unauthorized: sign in at /login or send Authorization: Bearer", 401);
  };
}
