/**
 * Every way `tern pub` and `tern sub` fail, each run beside mosquitto_pub / mosquitto_sub
 * with the same arguments: the exit codes must be equal, and tern's stderr is one
 * mosquitto-style line (plus the `--help` pointer for bad arguments).
 */
import assert from "node:assert/strict";
import { startBroker } from "./support/broker.ts";
import { generateCertificates, issueServerCertificate } from "./support/certs.ts";
import { freePort, waitForPort } from "./support/free_port.ts";
import { check } from "./cli_support.ts";

const usage = (tool: string, line: string) =>
  `Error: ${line}\nUse 'tern ${tool} --help' to see usage.\n`;

Deno.test("bad arguments and a refused connection exit 1 as in mosquitto", async () => {
  const closed = ["-p", `${freePort()}`, "-h", "127.0.0.1"];
  await check([
    {
      name: "refused",
      tool: "pub",
      args: [...closed, "-t", "a", "-m", "x"],
      code: 1,
      stderr: "Error: Connection refused\n",
      sameAsMosquitto: true,
    },
    {
      name: "refused (sub)",
      tool: "sub",
      args: [...closed, "-t", "a"],
      code: 1,
      stderr: "Error: Connection refused\n",
      sameAsMosquitto: true,
    },
    {
      name: "bad URL scheme",
      tool: "pub",
      args: ["-L", "http://127.0.0.1/a", "-m", "x"],
      code: 1,
      stderr: usage("pub", "unsupported URL scheme."),
    },
    {
      name: "bad URL scheme (sub)",
      tool: "sub",
      args: ["-L", "foo://127.0.0.1/a"],
      code: 1,
      stderr: usage("sub", "unsupported URL scheme."),
    },
    {
      name: "unknown option",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "--bogus"],
      code: 1,
      stderr: usage("pub", "Unknown option '--bogus'."),
    },
    {
      name: "bad QoS",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "-q", "3"],
      code: 1,
      stderr: usage("pub", "Invalid QoS given: 3"),
    },
    {
      name: "no value",
      tool: "pub",
      args: ["-m", "x", "-t"],
      code: 1,
      stderr: usage("pub", "-t argument given but no topic specified."),
    },
    {
      name: "no message",
      tool: "pub",
      args: ["-t", "a"],
      code: 1,
      stderr: usage("pub", "Both topic and message must be supplied."),
    },
    {
      name: "two messages",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "-n"],
      code: 1,
      stderr: usage("pub", "Only one type of message can be sent at once."),
    },
    {
      name: "bad version",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "-V", "4"],
      code: 1,
      stderr: usage("pub", "Invalid protocol version argument given."),
    },
    {
      name: "bad property",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "-D", "connect", "topic-alias", "1"],
      code: 1,
      stderr: usage("pub", "topic-alias property not allowed for connect in --property argument."),
    },
    {
      name: "property range",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "-D", "connect", "receive-maximum", "70000"],
      code: 1,
      stderr: usage("pub", "Property value (70000) out of range for property receive-maximum."),
    },
    {
      name: "wildcard in a topic name",
      tool: "pub",
      args: [...closed, "-t", "a/#", "-m", "x"],
      code: 1,
      stderr: usage("pub", 'Invalid topic name "a/#": contains the wildcard "#".'),
    },
    {
      name: "bad filter",
      tool: "sub",
      args: [...closed, "-t", "a/#/b"],
      code: 1,
      stderr: usage("sub", 'Invalid topic filter "a/#/b": "#" must be the last level.'),
    },
    {
      name: "no topic",
      tool: "sub",
      args: ["-p", "1"],
      code: 1,
      stderr: usage("sub", "You must specify a topic to subscribe to."),
    },
    {
      name: "bad count",
      tool: "sub",
      args: ["-t", "a", "-C", "0"],
      code: 1,
      stderr: usage("sub", 'Invalid message count "0".'),
    },
    {
      name: "bad timeout",
      tool: "sub",
      args: ["-t", "a", "-W", "0"],
      code: 1,
      stderr: usage("sub", 'Invalid timeout "0".'),
    },
    {
      name: "cert without key",
      tool: "pub",
      args: ["-t", "a", "-m", "x", "--cafile", "/x", "--cert", "/y"],
      code: 1,
      stderr: usage("pub", "Both certfile and keyfile must be provided if one of them is set."),
    },
    {
      name: "missing file",
      tool: "pub",
      args: [...closed, "-t", "a", "-f", "/nonexistent/payload"],
      code: 1,
      stderr: 'Error loading input file "/nonexistent/payload".\n',
    },
  ]);
});

Deno.test("a broker with a password file and an ACL refuses with the CONNACK code as exit code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const passwd = await new Deno.Command("mosquitto_passwd", {
      args: ["-b", "-c", `${dir}/passwd`, "alice", "secret"],
    }).output();
    assert.ok(passwd.success, "mosquitto_passwd failed");
    await Deno.writeTextFile(`${dir}/acl`, "user alice\ntopic readwrite allowed/#\n");
    await using broker = await startBroker({
      config: ["allow_anonymous false", `password_file ${dir}/passwd`, `acl_file ${dir}/acl`],
    });
    const port = ["-p", `${broker.port}`];
    const alice = [...port, "-u", "alice", "-P", "secret"];
    await check([
      {
        name: "anonymous 3.1.1",
        tool: "pub",
        args: [...port, "-t", "a", "-m", "x"],
        code: 5,
        stderr: "Connection error: Connection Refused: not authorised.\n",
      },
      {
        name: "anonymous 5",
        tool: "pub",
        args: [...port, "-t", "a", "-m", "x", "-V", "5"],
        code: 135,
        stderr: "Connection error: Not authorized\n",
      },
      {
        name: "wrong password",
        tool: "pub",
        args: [...port, "-u", "alice", "-P", "wrong", "-t", "a", "-m", "x"],
        code: 5,
        stderr: "Connection error: Connection Refused: not authorised.\n",
      },
      {
        name: "anonymous sub 5",
        tool: "sub",
        args: [...port, "-t", "a", "-V", "5"],
        code: 135,
        stderr: "Connection error: Not authorized\n",
      },
      {
        name: "wrong password sub",
        tool: "sub",
        args: [...port, "-u", "bob", "-P", "x", "-t", "a"],
        code: 5,
        stderr: "Connection error: Connection Refused: not authorised.\n",
      },
      {
        name: "enhanced authentication the broker does not know",
        tool: "pub",
        args: [
          ...alice,
          "-t",
          "a",
          "-m",
          "x",
          "-D",
          "connect",
          "authentication-method",
          "SCRAM-SHA-1",
        ],
        code: 140,
        stderr: "Connection error: Bad authentication method\n",
      },
      {
        name: "denied by the ACL",
        tool: "pub",
        args: [...alice, "-V", "5", "-q", "1", "-t", "denied", "-m", "x"],
        code: 0,
        stderr: "Warning: Publish 1 failed: Not authorized.\n",
        sameAsMosquitto: true,
      },
      {
        name: "allowed",
        tool: "pub",
        args: [...alice, "-V", "5", "-q", "1", "-t", "allowed/x", "-m", "x"],
        code: 0,
        stderr: "",
        sameAsMosquitto: true,
      },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TLS failures exit 1 with the reason, and a plain client on a TLS port exits 7", async () => {
  const certs = await generateCertificates();
  try {
    const elsewhere = await issueServerCertificate(certs, {
      name: "elsewhere",
      subjectAltName: "DNS:elsewhere.example",
    });
    const misnamedPort = freePort();
    await using broker = await startBroker({
      certificates: certs,
      config: [
        `listener ${misnamedPort} 127.0.0.1`,
        `cafile ${certs.caCert}`,
        `certfile ${elsewhere.cert}`,
        `keyfile ${elsewhere.key}`,
      ],
    });
    await waitForPort(misnamedPort);
    const tls = ["-h", "127.0.0.1", "-p", `${broker.tlsPort}`];
    const mtls = ["-h", "127.0.0.1", "-p", `${broker.mtlsPort}`, "--cafile", certs.caCert];
    const misnamed = ["-h", "127.0.0.1", "-p", `${misnamedPort}`, "--cafile", certs.caCert];
    const message = ["-t", "a", "-m", "x"];
    const tlsError = (detail: string) => `Unable to connect (A TLS error occurred: ${detail}).\n`;
    const untrusted = tlsError("the server's certificate is not signed by a trusted CA (--cafile)");
    const rejected = tlsError(
      "the server refused the client certificate or wanted one (--cert, --key)",
    );
    await check([
      // mosquitto exits 1 when the handshake fails within its connect call, 8 (MOSQ_ERR_TLS)
      // when it fails in its loop; which one depends on timing. tern always says 1.
      {
        name: "unknown CA",
        tool: "pub",
        args: [...tls, "--cafile", certs.otherCaCert, ...message],
        code: 1,
        stderr: untrusted,
        mosquittoCodes: [1, 8],
      },
      {
        name: "unknown CA (sub)",
        tool: "sub",
        args: [...tls, "--cafile", certs.otherCaCert, "-t", "a"],
        code: 1,
        stderr: untrusted,
        mosquittoCodes: [1, 8],
      },
      // Under TLS 1.3 the broker's refusal follows the handshake; mosquitto_pub reports it
      // as a protocol error (1) or as a lost connection (7), depending on timing.
      {
        name: "no client certificate",
        tool: "pub",
        args: [...mtls, ...message],
        code: 1,
        stderr: rejected,
        mosquittoCodes: [1, 7, 8],
      },
      {
        name: "client certificate of another CA",
        tool: "sub",
        args: [...mtls, "--cert", certs.otherClientCert, "--key", certs.otherClientKey, "-t", "a"],
        code: 1,
        stderr: rejected,
        mosquittoCodes: [1, 7, 8],
      },
      {
        name: "certificate for another name",
        tool: "pub",
        args: [...misnamed, ...message],
        code: 1,
        stderr: tlsError(
          "the server's certificate is not valid for the host name (--insecure skips this check)",
        ),
        mosquittoCodes: [1, 8],
      },
      {
        name: "--insecure accepts it",
        tool: "pub",
        args: [...misnamed, "--insecure", ...message],
        code: 0,
        stderr: "",
        sameAsMosquitto: true,
      },
      {
        name: "plain MQTT to a TLS port",
        tool: "pub",
        args: [...tls, ...message],
        code: 7,
        stderr: "Error: The connection was lost.\n",
        sameAsMosquitto: true,
      },
      {
        name: "missing CA file",
        tool: "pub",
        args: [...tls, "--cafile", "/nonexistent/ca.crt", ...message],
        code: 1,
        stderr: 'Error: Problem setting TLS options: File not found: "/nonexistent/ca.crt".\n',
      },
    ]);
  } finally {
    await Deno.remove(certs.dir, { recursive: true });
  }
});
