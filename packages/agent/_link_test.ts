import { systemClock } from "./_clock.ts";
import assert from "node:assert/strict";
import { Decoder, encode, type Packet } from "@tern/codec";
import type { Connection } from "@tern/transport";
import { ConnectionClosedError } from "./errors.ts";
import { Session } from "./session.ts";
import type { SessionEvent } from "./session_types.ts";
import { Link, type LinkHost } from "./_link.ts";

/** An in-memory connection: what the client writes is decoded, the test feeds the reads. */
function memoryConnection() {
  const written: Packet[] = [];
  const decoder = new Decoder({ version: 5 });
  let feed!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const connection: Connection = {
    readable: new ReadableStream({ start: (controller) => void (feed = controller) }),
    write: (bytes) => {
      written.push(...decoder.push(bytes.slice()));
      return Promise.resolve();
    },
    close: () => {
      if (!closed) {
        closed = true;
        try {
          feed.close();
        } catch {
          // The link cancelled its reader first, which ended the stream already.
        }
      }
      return Promise.resolve();
    },
  };
  return {
    connection,
    written,
    send: (packet: Packet) => feed.enqueue(encode(packet, { version: 5 })),
  };
}

function host(session: Session, events: SessionEvent[], link: () => Link): LinkHost {
  return {
    session,
    maximumPacketSize: 1024,
    closeTimeoutMs: 1000,
    clock: systemClock,
    running: () => true,
    connectWritten: () => {},
    processEvents: () => {
      for (let event = session.pollEvent(); event; event = session.pollEvent()) {
        events.push(event);
        if (event.type === "disconnection" || event.type === "connectionfailure") {
          link().beginClose(event.error);
        }
      }
    },
    pending: new Map(),
  };
}

/** Waits, turn by turn, for `condition`; fails rather than hang when it never holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 10_000) throw new Error("Cannot wait any longer: the condition never held");
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

Deno.test("a link writes CONNECT, hands packets to the session, and closes when it ends", async () => {
  const session = new Session({ clientId: "c", keepAlive: 0 });
  const events: SessionEvent[] = [];
  const memory = memoryConnection();
  const link: Link = new Link(host(session, events, () => link), memory.connection);
  const served = link.serve();
  await until(() => memory.written.length === 1);
  assert.equal(memory.written[0].type, "connect");
  memory.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await until(() => events.length === 1);
  assert.equal(events[0].type, "connectionsuccess");
  session.publish({ topic: "t", payload: new Uint8Array([1]), qos: 0 }, 0);
  link.wake();
  await until(() => memory.written.length === 2);
  assert.equal(memory.written[1].type, "publish");
  session.disconnect({}, 0);
  link.pump();
  const error = await served;
  assert.ok(error instanceof ConnectionClosedError);
  assert.equal(error.message, "Connection closed: the client disconnected with Success");
  assert.deepEqual(memory.written.map((p) => p.type), ["connect", "publish", "disconnect"]);
});

Deno.test("a link ends with why the connection was lost when the server closes it", async () => {
  const session = new Session({ clientId: "c" });
  const events: SessionEvent[] = [];
  const memory = memoryConnection();
  const link: Link = new Link(host(session, events, () => link), memory.connection);
  const served = link.serve();
  await until(() => memory.written.length === 1);
  await memory.connection.close();
  const error = await served;
  assert.equal(error.message, "Cannot connect: the connection closed before CONNACK");
  assert.equal(link.accepted, false);
  assert.equal(session.state, "disconnected");
});
