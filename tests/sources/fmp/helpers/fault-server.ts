/**
 * A small FMP stand-in for tests: a node:http server on 127.0.0.1 (port 0) whose answers
 * a test scripts request by request, with the faults the client must survive: statuses,
 * Retry-After, slow or stalled responses, bodies cut mid-row (with or without a
 * Content-Length), HTML pages, empty bodies.
 */
import { createReadStream } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Readable } from "node:stream";

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Stream this file as the body (chunked, no Content-Length). */
  file?: string;
  /** Stream this as the body (chunked), honouring backpressure. */
  stream?: () => Readable;
  /** Wait this long before answering at all. */
  delayMs?: number;
  /** Send this many body bytes, then stall for stallMs before the rest. */
  stallAfter?: number;
  stallMs?: number;
  /**
   * Send this many body bytes, then drop the connection. With `framing: "length"` the
   * Content-Length promises the whole body; "chunked" ends without the last chunk; "close"
   * sends no length at all, so the cut looks like a normal end of body to HTTP.
   */
  cutAfter?: number;
  framing?: "length" | "chunked" | "close";
}

export interface SeenRequest {
  path: string;
  query: URLSearchParams;
  at: number;
}

export interface FaultServer {
  /** Base URL to give the client, ending in /stable. */
  baseUrl: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Script = (request: SeenRequest, count: number) => Reply;

export async function startFaultServer(script: Script): Promise<FaultServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const seen = {
      path: url.pathname.replace(/^\/stable\//, ""),
      query: url.searchParams,
      at: performance.now(),
    };
    requests.push(seen);
    const reply = script(seen, requests.length);
    setTimeout(() => answer(reply, res), reply.delayMs ?? 0);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/stable`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(reply: Reply, res: http.ServerResponse): void {
  const status = reply.status ?? 200;
  const headers = { "content-type": "text/csv", ...reply.headers };
  if (reply.file || reply.stream) {
    res.writeHead(status, headers);
    const source = reply.file ? createReadStream(reply.file) : (reply.stream as () => Readable)();
    source.pipe(res);
    res.on("close", () => source.destroy());
    return;
  }
  const body = Buffer.from(reply.body ?? "");
  if (reply.cutAfter !== undefined) {
    const head = body.subarray(0, reply.cutAfter);
    if (reply.framing === "close") {
      // Write the response by hand: no length, no chunking, the close ends the body.
      const socket = res.socket as Socket;
      socket.write(`HTTP/1.1 ${status} OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n`);
      socket.end(head);
      return;
    }
    if (reply.framing === "chunked") res.writeHead(status, headers);
    else res.writeHead(status, { ...headers, "content-length": String(body.length) });
    res.write(head, () => setTimeout(() => res.socket?.destroy(), 10));
    return;
  }
  res.writeHead(status, { ...headers, "content-length": String(body.length) });
  if (reply.stallAfter !== undefined) {
    res.write(body.subarray(0, reply.stallAfter));
    setTimeout(() => {
      if (!res.destroyed) res.end(body.subarray(reply.stallAfter));
    }, reply.stallMs ?? 1_000);
    return;
  }
  res.end(body);
}
