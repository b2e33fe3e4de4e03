/** The fault proxy lives in `@tern/testing`; this repository's tests import it from here. */
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from "@tern/testing";
