/**
 * `/login`: the admin token, typed once; the server answers with a session
 * cookie (pages/session.ts). A page of its own: it needs no session and shows
 * nothing of the data.
 */
import { html } from "hono/html";
import type { Markup } from "./layout.ts";

export function loginPage(options: {
  next: string;
  error: string | null;
  closed: boolean;
}): Markup {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Fintra</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/static/fintra.css"></head>
<body><header class="top"><span class="brand">Fintra</span></header>
<main><h1>Sign in</h1>
${
  options.closed
    ? html`<p class="notice">FINTRA_ADMIN_TOKEN is not configured: the pages are closed outside dev mode.</p>`
    : html`${options.error ? html`<p class="error">${options.error}</p>` : ""}
<form class="action" method="post" action="/login">
<input type="hidden" name="next" value="${options.next}">
<label>Admin token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form>
<p class="muted">The token is FINTRA_ADMIN_TOKEN. The session lasts 36 hours; scripts may send it as a bearer header instead.</p>`
}
</main></body></html>`;
}
