/**
 * Reading stdin: all of it (`-s`) or line by line (`-l`).
 *
 * @module
 */

/** Every byte of `stream`. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The lines of `stream` as they arrive, without their `\n` (a `\r` stays, as in mosquitto_pub). */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  // A TextDecoder rather than a TextDecoderStream: Node's stream types (which the broker's
  // command line brings in) disagree with Deno's about what pipeThrough() takes.
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    rest += decoder.decode(bytes, { stream: true });
    let newline;
    while ((newline = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, newline);
      rest = rest.slice(newline + 1);
    }
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}
