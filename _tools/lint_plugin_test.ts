import assert from "node:assert/strict";
import plugin from "./lint_plugin.ts";

function lint(filename: string, source: string): string[] {
  return Deno.lint.runPlugin(plugin, filename, source).map((diagnostic) =>
    `${diagnostic.id}: ${diagnostic.message}`
  );
}

Deno.test("error-message reports a message that starts lowercase or ends with a period", () => {
  assert.deepEqual(
    lint(
      "packages/x/y.ts",
      `throw new Error("connection is closed");
throw new RangeError(\`value \${1} is too large\`);
throw TypeError("Cannot parse: bad input.");`,
    ),
    [
      "tern/error-message: Error message starts with a lowercase letter",
      "tern/error-message: Error message starts with a lowercase letter",
      "tern/error-message: Error message ends with a period",
    ],
  );
});

Deno.test("error-message accepts sentence fragments, expressions and helpers", () => {
  assert.deepEqual(
    lint(
      "packages/x/y.ts",
      `throw new Error("Cannot publish: topic name contains a wildcard \\"+\\"");
throw new Error(\`\${what} is wrong\`);
throw new Error(message);
throw transportError("write to host", error);
throw new MalformedPacketError("Cannot decode: e.g. this", { offset: 1 });`,
    ),
    [],
  );
});

Deno.test("error-message leaves tests and testdata alone", () => {
  const source = `throw new Error("Boom.");`;
  assert.deepEqual(lint("packages/x/y_test.ts", source), []);
  assert.deepEqual(lint("packages/x/testdata/cases.ts", source), []);
  assert.equal(lint("packages/x/y.ts", source).length, 1);
});

Deno.test("exported-function-args-maximum reports an exported function of four parameters", () => {
  assert.deepEqual(
    lint(
      "/repo/packages/x/y.ts",
      `export function a(w: number, x: number, y: number, z: number) {}
export const b = (w: number, x: number, y: number, z: number) => w;
export default function (w: number, x: number, y: number, z: number) {}`,
    ),
    [
      "tern/exported-function-args-maximum: Exported function has 4 parameters, more than 3",
      "tern/exported-function-args-maximum: Exported function has 4 parameters, more than 3",
      "tern/exported-function-args-maximum: Exported function has 4 parameters, more than 3",
    ],
  );
});

Deno.test("exported-function-args-maximum accepts three parameters, private functions and private modules", () => {
  const four = `export function a(w: number, x: number, y: number, z: number) {}`;
  assert.deepEqual(
    lint(
      "/repo/packages/x/y.ts",
      `export function a(this: unknown, x: number, y: number, z: number) {}
export function b(x: number, y: number, options?: { z: number }) {}
function c(w: number, x: number, y: number, z: number) {}`,
    ),
    [],
  );
  assert.deepEqual(lint("/repo/packages/x/_y.ts", four), []);
  assert.deepEqual(lint("/repo/tests/support/y.ts", four), []);
  assert.equal(lint("/repo/packages/x/y.ts", four).length, 1);
});
