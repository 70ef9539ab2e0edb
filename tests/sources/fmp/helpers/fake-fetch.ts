/**
 * An injectable fetch for tests that need no sockets: answers from a function of the URL,
 * and delivers bodies in small chunks so rows and quoted fields straddle chunk borders.
 */
export type Answer = string | { status?: number; body?: string; headers?: Record<string, string> };

export interface FakeFetch {
  fetch: typeof globalThis.fetch;
  urls: URL[];
}

export function fakeFetch(answer: (url: URL) => Answer, chunkBytes = 7): FakeFetch {
  const urls: URL[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(String(input));
    urls.push(url);
    const reply = answer(url);
    const {
      status = 200,
      body = "",
      headers = {},
    } = typeof reply === "string" ? { body: reply } : reply;
    const bytes = new TextEncoder().encode(body);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, offset + chunkBytes));
        offset += chunkBytes;
      },
    });
    return new Response(stream, { status, headers });
  };
  return { fetch, urls };
}

/** A CSV body as FMP writes it: quoted header and text, bare numbers. */
export function csv(header: string[], ...rows: (string | number | null)[][]): string {
  const line = (cells: (string | number | null)[]) =>
    cells
      .map((cell) =>
        cell === null
          ? ""
          : typeof cell === "number"
            ? String(cell)
            : `"${cell.replace(/"/g, '""')}"`,
      )
      .join(",");
  return [line(header), ...rows.map(line)].join("\n");
}
