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
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, newline);
      rest = rest.slice(newline + 1);
    }
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}
