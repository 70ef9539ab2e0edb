/**
 * A one-slot handoff between the task that downloads and parses a body and the loop that
 * consumes its row batches. `put` resolves only when the consumer has taken the batch, so
 * the download waits for a slow consumer (TCP backpressure) instead of piling rows up in
 * memory: at most one batch waits while the consumer works on the previous one.
 */

export class Handoff<T> {
  #queue: T[] = [];
  #closed = false;
  #failure: { error: unknown } | null = null;
  #cancelled: { reason: unknown } | null = null;
  #wakeTaker: (() => void) | null = null;
  #wakePutter: (() => void) | null = null;

  /** Offers an item and waits until it is taken; throws once the consumer has gone. */
  async put(item: T): Promise<void> {
    this.#throwIfCancelled();
    this.#queue.push(item);
    this.#wake("taker");
    while (this.#queue.length > 0) {
      await new Promise<void>((resolve) => {
        this.#wakePutter = resolve;
      });
      this.#throwIfCancelled();
    }
  }

  #throwIfCancelled(): void {
    if (this.#cancelled) throw this.#cancelled.reason;
  }

  /** Waits for the next item; `done` once the producer has closed; throws its failure. */
  async take(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#queue.length > 0) {
        const value = this.#queue.shift() as T;
        this.#wake("putter");
        return { value, done: false };
      }
      if (this.#failure) throw this.#failure.error;
      if (this.#closed) return { value: undefined, done: true };
      await new Promise<void>((resolve) => {
        this.#wakeTaker = resolve;
      });
    }
  }

  /** Producer: no more items. */
  close(): void {
    this.#closed = true;
    this.#wake("taker");
  }

  /** Producer: stopped with an error, which the next `take` throws. */
  fail(error: unknown): void {
    this.#failure = { error };
    this.#wake("taker");
  }

  /** Consumer: stopped early; a waiting or later `put` throws `reason`. */
  cancel(reason: unknown): void {
    this.#cancelled ??= { reason };
    this.#queue.length = 0;
    this.#wake("putter");
  }

  #wake(side: "taker" | "putter"): void {
    const wake = side === "taker" ? this.#wakeTaker : this.#wakePutter;
    if (side === "taker") this.#wakeTaker = null;
    else this.#wakePutter = null;
    wake?.();
  }
}
