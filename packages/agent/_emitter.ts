import { reportError } from "./_report_error.ts";

/**
 * A minimal typed event emitter: listeners per event name, called in the order added.
 * Listener lists are copied on change, not on emit, so an event costs no allocation and a
 * listener added while an event is being delivered first hears the next one (as with
 * EventTarget).
 */
export class Emitter<M> {
  // Created with the first listener: most clients' emitters hear only a few event types,
  // and an idle connection should not pay for an empty Map.
  #listeners?: Map<keyof M, readonly ((event: never) => void)[]>;

  on<K extends keyof M>(type: K, listener: (event: M[K]) => void): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(`Cannot listen to "${String(type)}": the listener must be a function`);
    }
    const listeners = this.#listeners ??= new Map();
    const list = listeners.get(type) ?? [];
    listeners.set(type, [...list, listener as (event: never) => void]);
    return () => this.off(type, listener);
  }

  off<K extends keyof M>(type: K, listener: (event: M[K]) => void): void {
    const list = this.#listeners?.get(type);
    if (!list) return;
    const index = list.indexOf(listener as (event: never) => void);
    if (index < 0) return;
    this.#listeners!.set(type, [...list.slice(0, index), ...list.slice(index + 1)]);
  }

  emit<K extends keyof M>(type: K, event: M[K]): void {
    const list = this.#listeners?.get(type);
    if (!list) return;
    for (const listener of list) {
      try {
        (listener as (event: M[K]) => void)(event);
      } catch (error) {
        // A listener's bug must not break the connection loop; surface it like EventTarget does.
        reportError(error);
      }
    }
  }
}
