/** The families of runtimes whose socket APIs differ (Bun speaks Node's). */
export type Runtime = "deno" | "workerd" | "node" | "web";

interface RuntimeGlobals {
  Deno?: { connect?: unknown };
  navigator?: { userAgent?: string };
  process?: { versions?: { node?: string } };
}

/**
 * Tells the runtime from its globals. Workers come before Node because `nodejs_compat`
 * gives them a `process`; Deno comes first because Deno 2 has a `process` too.
 */
export function currentRuntime(): Runtime {
  const global = globalThis as RuntimeGlobals;
  if (typeof global.Deno?.connect === "function") return "deno";
  if (global.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (typeof global.process?.versions?.node === "string") return "node";
  return "web";
}
