/** A minimal typed event emitter: listeners per event name, called in the order added. */
export class Emitter<M> {
  #listeners = new Map<keyof M, Set<(event: never) => void>>();

  on<K extends keyof M>(type: K, listener: (event: M[K]) => void): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(`Cannot listen to "${String(type)}": the listener must be a function`);
    }
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener as (event: never) => void);
    return () => this.off(type, listener);
  }

  off<K extends keyof M>(type: K, listener: (event: M[K]) => void): void {
    this.#listeners.get(type)?.delete(listener as (event: never) => void);
  }

  emit<K extends keyof M>(type: K, event: M[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: M[K]) => void)(event);
      } catch (error) {
        // A listener's bug must not break the connection loop; surface it like EventTarget does.
        reportError(error);
      }
    }
  }
}
