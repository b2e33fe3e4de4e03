/** A transport wrapper that keeps every packet the client wrote, decoded. */
import { Decoder } from "@tern/codec";
import type { Packet, ProtocolVersion } from "@tern/codec";
import type { Connection, Transport } from "@tern/transport";

/** The wrapped transport and what went through it. */
export interface Recording {
  transport: Transport;
  /** Every packet written so far, across connections. */
  written: Packet[];
  /** How many `write` calls were made. */
  writes: number;
}

/** Records what `inner` carries from the client to the server. */
export function recording(inner: Transport, version: ProtocolVersion): Recording {
  const record: Recording = { transport: { open: undefined! }, written: [], writes: 0 };
  record.transport = {
    async open(options): Promise<Connection> {
      const connection = await inner.open(options);
      const decoder = new Decoder({ version });
      return {
        readable: connection.readable,
        close: () => connection.close(),
        write: async (bytes) => {
          record.writes++;
          record.written.push(...decoder.push(bytes));
          await connection.write(bytes);
        },
      };
    },
  };
  return record;
}
