/**
 * Starts real mosquitto brokers for tests, on free loopback ports, with generated
 * configurations; stops them by PID. A broker that cannot start fails the test loudly.
 */
import type { TestCertificates } from "./certs.ts";
import { freePort, waitForPort } from "./free_port.ts";

/** What the broker should listen on and how it should behave. */
export interface BrokerOptions {
  /** Adds a TLS listener (server auth only) and a mutual-TLS one (`require_certificate true`). */
  certificates?: TestCertificates;
  /** Adds a WebSocket listener. */
  websocket?: boolean;
  /** Keeps sessions and messages on disk across restarts (saved on every change). */
  persistence?: boolean;
  /** More configuration lines, appended as they are (e.g. "max_inflight_messages 20"). */
  config?: string[];
}

/** A running (or stopped, restartable) mosquitto process. */
export interface Broker extends AsyncDisposable {
  /** Plain MQTT port. */
  readonly port: number;
  /** `mqtt://127.0.0.1:port` */
  readonly url: string;
  /** TLS port without client authentication, when certificates were given. */
  readonly tlsPort?: number;
  /** TLS port with `require_certificate true`, when certificates were given. */
  readonly mtlsPort?: number;
  /** WebSocket port, when asked for. */
  readonly wsPort?: number;
  /** The broker's working directory: config, log and persistence files. */
  readonly dir: string;
  /** PID of the current process. */
  readonly pid: number;
  /** Starts the broker again on the same ports (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** Sends a signal (default SIGKILL) and waits for the process to exit. */
  kill(signal?: Deno.Signal): Promise<void>;
  /** Stops the broker (SIGTERM), waits for it, and removes its directory. */
  stop(): Promise<void>;
  /** The broker's log so far. */
  log(): Promise<string>;
}

function configText(
  options: BrokerOptions,
  dir: string,
  ports: { port: number; tlsPort?: number; mtlsPort?: number; wsPort?: number },
): string {
  const lines = [
    "per_listener_settings false",
    "allow_anonymous true",
    "user root",
    `log_dest file ${dir}/mosquitto.log`,
    "log_type error",
    "log_type warning",
    "log_type notice",
    "log_type information",
    "connection_messages true",
    `listener ${ports.port} 127.0.0.1`,
  ];
  if (options.persistence) {
    lines.push(
      "persistence true",
      `persistence_location ${dir}/`,
      "autosave_interval 1",
      "autosave_on_changes true",
    );
  }
  const certs = options.certificates;
  if (certs && ports.tlsPort && ports.mtlsPort) {
    const tls = [
      `cafile ${certs.caCert}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
    ];
    lines.push(`listener ${ports.tlsPort} 127.0.0.1`, ...tls, "require_certificate false");
    lines.push(`listener ${ports.mtlsPort} 127.0.0.1`, ...tls, "require_certificate true");
  }
  if (ports.wsPort) lines.push(`listener ${ports.wsPort} 127.0.0.1`, "protocol websockets");
  lines.push(...(options.config ?? []));
  return lines.join("\n") + "\n";
}

/** Config lines for one more listener: MQTT over WebSocket with TLS (`wss://`) on `port`. */
export function wssListener(certificates: TestCertificates, port: number): string[] {
  return [
    `listener ${port} 127.0.0.1`,
    "protocol websockets",
    `cafile ${certificates.caCert}`,
    `certfile ${certificates.serverCert}`,
    `keyfile ${certificates.serverKey}`,
  ];
}

/**
 * Starts mosquitto and resolves once every listener accepts connections.
 *
 * ```ts ignore
 * await using broker = await startBroker({ websocket: true });
 * console.log(broker.url, broker.wsPort);
 * ```
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const dir = await Deno.makeTempDir({ prefix: "tern-mosquitto-" });
  const ports = {
    port: freePort(),
    tlsPort: options.certificates ? freePort() : undefined,
    mtlsPort: options.certificates ? freePort() : undefined,
    wsPort: options.websocket ? freePort() : undefined,
  };
  const configPath = `${dir}/mosquitto.conf`;
  await Deno.writeTextFile(configPath, configText(options, dir, ports));

  let child: Deno.ChildProcess | undefined;
  let exited = true;

  const log = async () => {
    try {
      return await Deno.readTextFile(`${dir}/mosquitto.log`);
    } catch {
      return "(no log)";
    }
  };

  const launch = async () => {
    let proc: Deno.ChildProcess;
    try {
      proc = new Deno.Command("mosquitto", {
        args: ["-c", configPath],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch (error) {
      throw new Error(
        "Cannot start mosquitto: is it installed? (apt-get install -y mosquitto)",
        { cause: error },
      );
    }
    child = proc;
    exited = false;
    proc.status.then(() => {
      if (child === proc) exited = true;
    });
    const listening = [ports.port, ports.tlsPort, ports.mtlsPort, ports.wsPort].filter(
      (p): p is number => p !== undefined,
    );
    try {
      for (const port of listening) await waitForPort(port, { isAlive: () => !exited });
    } catch (error) {
      if (!exited) {
        proc.kill("SIGKILL");
        await proc.status;
      }
      throw new Error(`Cannot start mosquitto: ${(error as Error).message}\n${await log()}`);
    }
  };

  const kill = async (signal: Deno.Signal = "SIGKILL") => {
    if (!child || exited) return;
    const proc = child;
    proc.kill(signal);
    await proc.status;
    exited = true;
  };

  let removed = false;
  const stop = async () => {
    await kill("SIGTERM");
    if (!removed) {
      removed = true;
      await Deno.remove(dir, { recursive: true });
    }
  };

  await launch();
  return {
    ...ports,
    url: `mqtt://127.0.0.1:${ports.port}`,
    dir,
    get pid() {
      return child!.pid;
    },
    restart: async () => {
      await kill("SIGKILL");
      await launch();
    },
    kill,
    stop,
    log,
    [Symbol.asyncDispose]: stop,
  };
}
