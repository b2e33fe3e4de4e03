/**
 * Tern's own lint rules, after denoland/std's `_tools/lint_plugin.ts`; `deno lint` (and so
 * `deno task check`) loads them through the root deno.json's `lint.plugins`.
 *
 * - `tern/error-message`: a literal error message reads as a sentence fragment in STYLE's
 *   form: a capital first letter, no trailing period (`Cannot publish: topic name contains
 *   a wildcard "+"`). Tests and their `testdata/` are left out: they build messages to
 *   provoke, not to show.
 * - `tern/exported-function-args-maximum`: a function a package exports from a public
 *   module takes at most three parameters (STYLE: more is a smell); more go in an options
 *   object. Private modules, tests and tools are left out: their callers are in the repo.
 *
 * @module
 */

const MAX_EXPORTED_PARAMETERS = 3;

function isTestFile(filename: string): boolean {
  return /_test\.ts$/.test(filename) || /[\\/]testdata[\\/]/.test(filename);
}

// A module users import: in a package, and neither private (`_x.ts`) nor a test.
function isPublicModule(filename: string): boolean {
  return /[\\/]packages[\\/]/.test(filename) && !/[\\/]_[^\\/]*$/.test(filename) &&
    !isTestFile(filename);
}

// The literal text at the start and at the end of a message, when it is written out.
function messageEnds(node: Deno.lint.Node): [start?: string, end?: string] | undefined {
  if (node.type === "Literal" && typeof node.value === "string") return [node.value, node.value];
  if (node.type === "TemplateLiteral") {
    const first = node.quasis[0].cooked;
    const last = node.quasis[node.quasis.length - 1].cooked;
    // A message opening with an expression starts with whatever it holds: not judged.
    return [first === "" ? undefined : first, last === "" ? undefined : last];
  }
  return undefined;
}

function checkErrorMessage(
  context: Deno.lint.RuleContext,
  node: Deno.lint.NewExpression | Deno.lint.CallExpression,
): void {
  // An error class, called with or without `new`; not a helper such as transportError().
  if (node.callee.type !== "Identifier" || !/^(?:[A-Z]\w*)?Error$/.test(node.callee.name)) return;
  const message = node.arguments[0];
  if (message === undefined) return;
  const ends = messageEnds(message);
  if (ends === undefined) return;
  const [start, end] = ends;
  if (start !== undefined && /^\p{Ll}/u.test(start)) {
    context.report({
      node: message,
      message: "Error message starts with a lowercase letter",
      hint: 'Start it with a capital letter, as in "Cannot publish: topic name is empty"',
    });
  }
  if (end !== undefined && end.endsWith(".")) {
    context.report({
      node: message,
      message: "Error message ends with a period",
      hint: "Drop the period: messages are sentence fragments, often joined with others",
    });
  }
}

function checkParameters(context: Deno.lint.RuleContext, node: Deno.lint.Node): void {
  if (
    node.type !== "FunctionDeclaration" && node.type !== "FunctionExpression" &&
    node.type !== "ArrowFunctionExpression" && node.type !== "TSDeclareFunction"
  ) return;
  // A TypeScript `this` parameter is a type annotation, not an argument.
  const parameters = node.params.filter((parameter) =>
    !(parameter.type === "Identifier" && parameter.name === "this")
  );
  if (parameters.length <= MAX_EXPORTED_PARAMETERS) return;
  context.report({
    node,
    message:
      `Exported function has ${parameters.length} parameters, more than ${MAX_EXPORTED_PARAMETERS}`,
    hint: "Take the optional or rarely used ones in an options object",
  });
}

const plugin: Deno.lint.Plugin = {
  name: "tern",
  rules: {
    "error-message": {
      create(context) {
        if (isTestFile(context.filename)) return {};
        return {
          NewExpression: (node) => checkErrorMessage(context, node),
          CallExpression: (node) => checkErrorMessage(context, node),
        };
      },
    },
    "exported-function-args-maximum": {
      create(context) {
        if (!isPublicModule(context.filename)) return {};
        return {
          "ExportNamedDeclaration > FunctionDeclaration": (node: Deno.lint.FunctionDeclaration) =>
            checkParameters(context, node),
          "ExportNamedDeclaration > TSDeclareFunction": (node: Deno.lint.TSDeclareFunction) =>
            checkParameters(context, node),
          "ExportDefaultDeclaration > FunctionDeclaration": (
            node: Deno.lint.FunctionDeclaration,
          ) => checkParameters(context, node),
          "ExportNamedDeclaration > VariableDeclaration > VariableDeclarator": (
            node: Deno.lint.VariableDeclarator,
          ) => {
            if (node.init) checkParameters(context, node.init);
          },
        };
      },
    },
  },
};

export default plugin;
