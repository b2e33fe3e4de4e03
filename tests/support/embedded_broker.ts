/**
 * The embedded broker (`@tern/broker`) on a free loopback TCP port, with the `port` / `url`
 * shape of `startBroker()` (support/broker.ts), so a client scenario that does not depend on
 * mosquitto specifics can run against both.
 */
import { Broker } from "@tern/broker";

/** A running embedded broker; disposing it closes it. */
export interface EmbeddedBroker extends AsyncDisposable {
  /** The broker itself, for stats and hooks. */
  readonly broker: Broker;
  /** TCP port. */
  readonly port: number;
  /** `mqtt://127.0.0.1:port` */
  readonly url: string;
}

/** Starts an embedded broker listening on 127.0.0.1 and a free port. */
export async function startEmbeddedBroker(): Promise<EmbeddedBroker> {
  const broker = new Broker();
  const listener = await broker.listen({ port: 0 });
  return {
    broker,
    port: listener.port,
    url: listener.url,
    [Symbol.asyncDispose]: () => broker.close(),
  };
}
