/**
 * The session's deadlines, by name (quinn-proto's `TimerTable`): `pollTimeout()` is
 * `next()`, and `handleTimeout()` asks `expired()` of each. Acknowledgement deadlines, one per
 * operation, live with the flights in `_inflight.ts`.
 */
export type Timer =
  /** CONNECT was sent; the connection fails without a CONNACK by then. */
  | "connack"
  /** Nothing was sent for the keep-alive interval: a PINGREQ goes out then. */
  | "keepAlive"
  /** A PINGREQ is outstanding; the link is dead without a PINGRESP by then. */
  | "pingResponse"
  /** The broker's rate limits hold back the next PUBLISH until then. */
  | "throttle";

/** Named deadlines in milliseconds, and the keep-alive rules of one connection. */
export class Timers {
  // One field per timer (a table of four): an idle connection holds no object besides.
  #connack?: number;
  #keepAlive?: number;
  #pingResponse?: number;
  #throttle?: number;
  #keepAliveMs = 0;
  #pingTimeoutMs = 0;

  /** Milliseconds a PINGREQ waits for its PINGRESP on this connection. */
  get pingTimeoutMs(): number {
    return this.#pingTimeoutMs;
  }

  /** Sets `timer` to fire at `at`, or stops it (undefined). */
  set(timer: Timer, at: number | undefined): void {
    switch (timer) {
      case "connack":
        this.#connack = at;
        return;
      case "keepAlive":
        this.#keepAlive = at;
        return;
      case "pingResponse":
        this.#pingResponse = at;
        return;
      case "throttle":
        this.#throttle = at;
        return;
    }
  }

  /** When `timer` fires, or undefined when it is not set. */
  at(timer: Timer): number | undefined {
    switch (timer) {
      case "connack":
        return this.#connack;
      case "keepAlive":
        return this.#keepAlive;
      case "pingResponse":
        return this.#pingResponse;
      case "throttle":
        return this.#throttle;
    }
  }

  /** Whether `timer` is set. */
  running(timer: Timer): boolean {
    return this.at(timer) !== undefined;
  }

  /** Whether `timer` is set and due at `now`. */
  expired(timer: Timer, now: number): boolean {
    const at = this.at(timer);
    return at !== undefined && now >= at;
  }

  /** Stops every timer: the connection ended. */
  stopAll(): void {
    this.#connack =
      this.#keepAlive =
      this.#pingResponse =
      this.#throttle =
        undefined;
  }

  /**
   * Starts keep-alive for an accepted connection: a PINGREQ after `keepAliveMs` without
   * sending (0 turns it off), answered within `pingTimeoutMs` (default: half the keep-alive,
   * at most 30 s; 30 s without keep-alive).
   */
  startKeepAlive(now: number, keepAliveMs: number, pingTimeoutMs?: number): void {
    this.#keepAliveMs = keepAliveMs;
    // Without keep-alive only ping() sends PINGREQ: it still deserves time for an answer.
    this.#pingTimeoutMs = pingTimeoutMs ??
      (keepAliveMs > 0 ? Math.min(30_000, keepAliveMs / 2) : 30_000);
    this.#keepAlive = keepAliveMs > 0 ? now + keepAliveMs : undefined;
  }

  /** A packet left at `now`: keep-alive counts from then. */
  sent(now: number): void {
    if (this.#keepAlive !== undefined) this.#keepAlive = now + this.#keepAliveMs;
  }

  /** A PINGREQ was queued at `now`: its PINGRESP is due within the ping timeout. */
  pingSent(now: number): void {
    this.#pingResponse = now + this.#pingTimeoutMs;
  }

  /**
   * What is due at `now`, in the order it matters: the CONNACK timeout, a PINGRESP timeout,
   * or a keep-alive PINGREQ to send (which `pingSent()` then records). A throttle that ran
   * out simply stops: the next PUBLISH may try again.
   */
  due(now: number): "connack" | "pingResponse" | "keepAlive" | undefined {
    if (this.expired("throttle", now)) this.#throttle = undefined;
    if (this.expired("connack", now)) return "connack";
    if (this.#pingResponse !== undefined) {
      return this.expired("pingResponse", now) ? "pingResponse" : undefined;
    }
    return this.expired("keepAlive", now) ? "keepAlive" : undefined;
  }

  /** The earliest deadline, or undefined. Keep-alive waits while a PINGREQ is outstanding. */
  next(): number | undefined {
    let next = this.#connack;
    const alive = this.#pingResponse ?? this.#keepAlive;
    if (alive !== undefined && (next === undefined || alive < next)) next = alive;
    const throttle = this.#throttle;
    if (throttle !== undefined && (next === undefined || throttle < next)) next = throttle;
    return next;
  }
}
