/**
 * A minimal typed event emitter: listeners per event name, called in the order added.
 * Listener lists are copied on change, not on emit, so an event costs no allocation and a
 * listener added while an event is being delivered first hears the next one (as with
 * EventTarget).
 *
 * A listener that throws, or returns a promise that rejects, goes to `onError`: it never
 * stops the other listeners nor the caller (the connection loop).
 */
export class Emitter<M> {
  // Created with the first listener: most clients' emitters hear only a few event types,
  // and an idle connection should not pay for an empty Map.
  #listeners?: Map<keyof M, readonly ((event: never) => unknown)[]>;
  #onError: (error: unknown, type: keyof M) => void;

  constructor(onError: (error: unknown, type: keyof M) => void) {
    this.#onError = onError;
  }

  on<K extends keyof M>(type: K, listener: (event: M[K]) => unknown): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(`Cannot listen to "${String(type)}": the listener must be a function`);
    }
    const listeners = this.#listeners ??= new Map();
    const list = listeners.get(type) ?? [];
    listeners.set(type, [...list, listener as (event: never) => unknown]);
    return () => this.off(type, listener);
  }

  off<K extends keyof M>(type: K, listener: (event: M[K]) => unknown): void {
    const list = this.#listeners?.get(type);
    if (!list) return;
    const index = list.indexOf(listener as (event: never) => unknown);
    if (index < 0) return;
    this.#listeners!.set(type, [...list.slice(0, index), ...list.slice(index + 1)]);
  }

  /** Whether anyone listens to `type`. */
  has(type: keyof M): boolean {
    return (this.#listeners?.get(type)?.length ?? 0) > 0;
  }

  emit<K extends keyof M>(type: K, event: M[K]): void {
    const list = this.#listeners?.get(type);
    if (!list) return;
    for (const listener of list) {
      try {
        const result = (listener as (event: M[K]) => unknown)(event);
        if (result instanceof Promise) result.catch((error) => this.#onError(error, type));
      } catch (error) {
        this.#onError(error, type);
      }
    }
  }
}
