/**
 * Starts tinyproxy (Debian package) on a free loopback port with a generated config,
 * optionally requiring basic auth; stops it by PID.
 */
import { freePort, waitForPort } from "../../../tests/support/free_port.ts";

/** A running tinyproxy. */
export interface Proxy extends AsyncDisposable {
  readonly port: number;
  /** `http://[user:pass@]127.0.0.1:port` */
  readonly url: string;
  /** How many CONNECT requests the proxy has logged, to prove traffic went through it. */
  connects(): Promise<number>;
}

/** Starts tinyproxy; with `credentials` it answers 407 to requests without them. */
export async function startTinyproxy(
  options: { credentials?: { user: string; password: string } } = {},
): Promise<Proxy> {
  const dir = await Deno.makeTempDir({ prefix: "tern-tinyproxy-" });
  const port = freePort();
  const lines = [
    "User root",
    "Group root",
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 60",
    `LogFile "${dir}/tinyproxy.log"`,
    "LogLevel Connect",
    `PidFile "${dir}/tinyproxy.pid"`,
    "MaxClients 20",
    "Allow 127.0.0.1",
    "DisableViaHeader Yes",
  ];
  const { credentials } = options;
  if (credentials) lines.push(`BasicAuth ${credentials.user} ${credentials.password}`);
  await Deno.writeTextFile(`${dir}/tinyproxy.conf`, lines.join("\n") + "\n");
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("tinyproxy", {
      args: ["-d", "-c", `${dir}/tinyproxy.conf`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (error) {
    throw new Error("Cannot start tinyproxy: is it installed? (apt-get install -y tinyproxy)", {
      cause: error,
    });
  }
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const log = () => Deno.readTextFile(`${dir}/tinyproxy.log`).catch(() => "(no log)");
  const stop = async () => {
    if (!exited) child.kill("SIGKILL");
    await status;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await waitForPort(port, { isAlive: () => !exited });
  } catch (error) {
    const text = await log();
    await stop();
    throw new Error(`Cannot start tinyproxy: ${(error as Error).message}\n${text}`);
  }
  const auth = credentials
    ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`
    : "";
  return {
    port,
    url: `http://${auth}127.0.0.1:${port}`,
    connects: async () =>
      (await log()).match(/Request \(file descriptor \d+\): CONNECT /g)?.length ?? 0,
    [Symbol.asyncDispose]: stop,
  };
}
