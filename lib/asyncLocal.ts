/**
 * Values that follow a request through its async calls, like AsyncLocalStorage,
 * but all kept in one storage. On Node 20 every enabled AsyncLocalStorage adds
 * its own hook work to every promise the process creates, and a subgraph's
 * request creates thousands; each extra storage measured about half a
 * millisecond more per 50-entity request on the benchmark machine. Each
 * `AsyncLocal` is one slot of the shared storage, with AsyncLocalStorage's
 * semantics: `run` sets the slot for `fn` and everything it starts, nested runs
 * keep the other slots, and code outside any run reads `undefined`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Slots = Readonly<Record<symbol, unknown>>;

const storage = new AsyncLocalStorage<Slots>();

export class AsyncLocal<T> {
  readonly #slot: symbol;

  constructor(name: string) {
    this.#slot = Symbol(name);
  }

  /** Runs `fn` (and everything it starts) with this slot set to `value`. */
  run<R>(value: T, fn: () => R): R {
    return storage.run({ ...storage.getStore(), [this.#slot]: value }, fn);
  }

  /** The value of the innermost `run` the calling code is part of; undefined outside any. */
  getStore(): T | undefined {
    return storage.getStore()?.[this.#slot] as T | undefined;
  }
}
