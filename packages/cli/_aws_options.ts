/**
 * The AWS IoT Core presets of the connection options.
 *
 * @module
 */
import type { MqttClientOptions } from "@tern/agent";
import {
  credentialsFromEnv,
  mtlsOptionsFromFiles,
  toMqttClientOptions,
  websocketSigV4Options,
} from "@tern/aws";
import { integer } from "./_args.ts";
import { failure, usage } from "./_errors.ts";
import type { Io } from "./_io.ts";
import { readPem } from "./_read_pem.ts";

/**
 * Client options for `--aws-endpoint`: mutual TLS with `--aws-cert` / `--aws-key`, else
 * MQTT over WebSocket with SigV4 (credentials from the environment), through the builders of
 * `@tern/aws`. `common` holds the options the presets do not decide (keep-alive, will, ...).
 */
export async function awsOptions(
  v: Record<string, string | undefined>,
  common: MqttClientOptions,
  io: Io,
  clientId: string | undefined,
): Promise<MqttClientOptions> {
  const endpoint = v.awsEndpoint!;
  if (v.url !== undefined || v.host !== undefined) {
    throw usage("--aws-endpoint replaces -h and -L; give only one.");
  }
  if ((v.awsCert === undefined) !== (v.awsKey === undefined)) {
    throw usage("Both --aws-cert and --aws-key must be provided if one of them is set.");
  }
  // AWS IoT refuses an empty client id, so one is made up when none is given.
  const id = clientId ?? `tern-${crypto.randomUUID().slice(0, 8)}`;
  let iot;
  if (v.awsCert !== undefined) {
    if (v.awsRegion !== undefined) {
      throw usage("--aws-region is for SigV4 WebSocket; --aws-cert uses mutual TLS.");
    }
    const port = v.port === undefined
      ? undefined
      : integer(v.port, 1, 65535, `Invalid port given: ${v.port}`);
    try {
      iot = await mtlsOptionsFromFiles({
        endpoint,
        clientId: id,
        certFile: v.awsCert,
        keyFile: v.awsKey!,
        caFile: v.cafile,
        port,
      });
    } catch (error) {
      throw failure(
        `Error: Problem setting TLS options: ${(error as Error).message}.`,
        1,
        {
          cause: error,
        },
      );
    }
  } else {
    iot = websocketSigV4Options({
      endpoint,
      clientId: id,
      region: v.awsRegion,
      credentials: credentialsFromEnv({ env: (name) => io.env(name) }),
      caCerts: v.cafile === undefined ? undefined : [await readPem(v.cafile)],
    });
  }
  return { ...common, ...toMqttClientOptions(iot) };
}
