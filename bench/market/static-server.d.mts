/** Types of static-server.mjs (a plain-JS file so it runs without tsx). */

export interface CacheEntry {
  key: string;
  /** File name under `<dir>/files/`. */
  file: string;
  status: number;
  contentType: string;
  bytes: number;
  /** The body holds ORIGIN_PLACEHOLDER, replaced by the serving origin. */
  rewrite: boolean;
}

export interface ServerLog {
  served: { key: string; bytes: number }[];
  misses: string[];
  recorded: string[];
}

export const ORIGIN_PLACEHOLDER: string;
export const INDEX_FILE: string;
export const FILES_DIR: string;
export function cacheKey(pathname: string, searchParams: URLSearchParams): string;
export function fileNameFor(key: string, contentType: string): string;
export function readIndex(dir: string): Map<string, CacheEntry>;
export function storeEntry(
  dir: string,
  answer: { key: string; status: number; contentType: string; body: Buffer; rewrite: boolean },
): CacheEntry;
export function appendEntry(dir: string, entry: CacheEntry): void;
export function startStaticServer(options: {
  dir: string;
  upstream?: string | null;
  onMiss?: (key: string) => void;
}): Promise<{
  port: number;
  entries: number;
  takeLog(): ServerLog;
  close(): Promise<void>;
}>;
