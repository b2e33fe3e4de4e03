/** mosquitto's dynamic security plugin, set up for tests that need a broker to refuse. */
/**
 * mosquitto's dynamic security plugin, refusing every SUBSCRIBE of anonymous clients except to
 * its own `$CONTROL` topics, through which they may change the ACLs (a change disconnects the
 * role's clients with 0x98 Administrative action). mosquitto's `acl_file` would not do: it
 * grants every SUBSCRIBE and checks read access per message. Returns the configuration lines
 * for `startBroker`; the plugin keeps its state in `dir`.
 */
export async function dynamicSecurity(dir: string): Promise<string[]> {
  const candidates = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
    .map((lib) => `${lib}/mosquitto_dynamic_security.so`);
  const found = [];
  for (const path of candidates) {
    if (await Deno.stat(path).then(() => true, () => false)) found.push(path);
  }
  if (found.length === 0) {
    throw new Error(
      `Cannot test against mosquitto's dynamic security: no plugin in ${candidates.join(", ")}`,
    );
  }
  const control = "$CONTROL/dynamic-security/#";
  await Deno.writeTextFile(
    `${dir}/dynamic-security.json`,
    JSON.stringify({
      defaultACLAccess: {
        publishClientSend: true,
        publishClientReceive: true,
        subscribe: false,
        unsubscribe: true,
      },
      clients: [],
      groups: [{ groupname: "anonymous", roles: [{ rolename: "anonymous" }], clients: [] }],
      roles: [{
        rolename: "anonymous",
        acls: [
          { acltype: "subscribePattern", topic: control, priority: 0, allow: true },
          { acltype: "publishClientSend", topic: control, priority: 0, allow: true },
        ],
      }],
      anonymousGroup: "anonymous",
    }),
  );
  return [`plugin ${found[0]}`, `plugin_opt_config_file ${dir}/dynamic-security.json`];
}
