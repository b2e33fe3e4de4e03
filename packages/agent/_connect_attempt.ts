import type { Transport } from "@tern/transport";
import type { ConnectAttempt, ConnectOptionsProvider } from "./client_options.ts";
import type { ConnectUpdate } from "./session_types.ts";
import type { ServerList } from "./_server_list.ts";

/** Where an attempt's options come from, and where they go. */
export interface AttemptSources {
  /** The client's connect options provider, if any. */
  provider?: ConnectOptionsProvider;
  /** The servers to try. */
  servers: ServerList;
  /** Takes the CONNECT fields for this and the following attempts. */
  session: { updateConnectOptions(update: ConnectUpdate): void };
}

/**
 * The transport for one connection attempt. Asks the connect options provider, if any, for
 * the attempt's options: CONNECT fields go to the session, a URL or transport replaces the
 * server for this attempt only. Rejects once the attempt's signal aborts.
 */
export async function prepareAttempt(
  attempt: ConnectAttempt,
  { provider, servers, session }: AttemptSources,
): Promise<Transport> {
  if (!provider) return servers.transport;
  const overrides = await untilAborted(
    Promise.resolve().then(() => provider(attempt)),
    attempt.signal,
  );
  if (overrides === null || typeof overrides !== "object") {
    throw new TypeError(
      `Cannot connect: connectOptionsProvider must return an object, got ${String(overrides)}`,
    );
  }
  const { url, transport, ...update } = overrides;
  session.updateConnectOptions(update);
  if (transport !== undefined) return transport;
  if (url !== undefined) return servers.transportFor(url);
  return servers.transport;
}

/** Settles with `promise`, or rejects with the signal's reason once it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
