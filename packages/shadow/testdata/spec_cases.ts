/**
 * The rules of the shadow specification (`specs/aws_iot.md` §1.2–1.10) as request and
 * response sequences, shared by the engine's unit tests and the tests of the local service
 * over a real broker. Each case starts from an empty service; each step publishes one request
 * and lists every message the service must publish in response, in order.
 */
import type { JsonValue } from "../document.ts";

export interface SpecStep {
  /** The service's clock for this step, in milliseconds since the epoch. */
  now: number;
  topic: string;
  payload: string | Uint8Array;
  expect: { topic: string; payload: JsonValue }[];
}

export interface SpecCase {
  name: string;
  steps: SpecStep[];
}

/** Milliseconds for `1700000000 + seconds`, the spec's example clock. */
export const at = (seconds: number): number => (1700000000 + seconds) * 1000;
const T0 = 1700000000;

const NAMED = "$aws/things/lamp1/shadow/name/cfg";
const CLASSIC = "$aws/things/lamp1/shadow";

function step(
  seconds: number,
  topic: string,
  payload: JsonValue | string | Uint8Array,
  ...expect: [string, JsonValue][]
): SpecStep {
  return {
    now: at(seconds),
    topic,
    payload: typeof payload === "string" || payload instanceof Uint8Array
      ? payload
      : JSON.stringify(payload),
    expect: expect.map(([topic, payload]) => ({ topic, payload })),
  };
}

/** The steps of the §1.9 worked example, in the spec's words and values. */
export const WORKED_EXAMPLE: SpecCase = {
  name: "§1.9 the end-to-end example of thing lamp1, named shadow cfg, byte for byte",
  steps: [
    step(0, `${NAMED}/get`, { clientToken: "t1" }, [`${NAMED}/get/rejected`, {
      code: 404,
      message: "No shadow exists with name: 'cfg'",
      clientToken: "t1",
    }]),
    step(
      0,
      `${NAMED}/update`,
      { state: { reported: { on: false, lvl: 10 } }, clientToken: "t2" },
      [`${NAMED}/update/accepted`, {
        state: { reported: { on: false, lvl: 10 } },
        metadata: { reported: { on: { timestamp: T0 }, lvl: { timestamp: T0 } } },
        version: 1,
        timestamp: T0,
        clientToken: "t2",
      }],
      [`${NAMED}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { on: false, lvl: 10 } },
          metadata: { reported: { on: { timestamp: T0 }, lvl: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
        clientToken: "t2",
      }],
    ),
    step(
      10,
      `${NAMED}/update`,
      { state: { desired: { on: true } }, version: 1, clientToken: "t3" },
      [`${NAMED}/update/accepted`, {
        state: { desired: { on: true } },
        metadata: { desired: { on: { timestamp: T0 + 10 } } },
        version: 2,
        timestamp: T0 + 10,
        clientToken: "t3",
      }],
      [`${NAMED}/update/delta`, {
        version: 2,
        timestamp: T0 + 10,
        state: { on: true },
        metadata: { on: { timestamp: T0 + 10 } },
        clientToken: "t3",
      }],
      [`${NAMED}/update/documents`, {
        previous: {
          state: { reported: { on: false, lvl: 10 } },
          metadata: { reported: { on: { timestamp: T0 }, lvl: { timestamp: T0 } } },
          version: 1,
        },
        current: {
          state: { desired: { on: true }, reported: { on: false, lvl: 10 } },
          metadata: {
            desired: { on: { timestamp: T0 + 10 } },
            reported: { on: { timestamp: T0 }, lvl: { timestamp: T0 } },
          },
          version: 2,
        },
        timestamp: T0 + 10,
        clientToken: "t3",
      }],
    ),
    step(
      11,
      `${NAMED}/update`,
      { state: { desired: { on: true } }, version: 1, clientToken: "t3" },
      [`${NAMED}/update/rejected`, {
        code: 409,
        message: "Version conflict",
        timestamp: T0 + 11,
        clientToken: "t3",
      }],
    ),
    step(
      20,
      `${NAMED}/update`,
      { state: { reported: { on: true } }, clientToken: "t4" },
      [`${NAMED}/update/accepted`, {
        state: { reported: { on: true } },
        metadata: { reported: { on: { timestamp: T0 + 20 } } },
        version: 3,
        timestamp: T0 + 20,
        clientToken: "t4",
      }],
      [`${NAMED}/update/documents`, {
        previous: {
          state: { desired: { on: true }, reported: { on: false, lvl: 10 } },
          metadata: {
            desired: { on: { timestamp: T0 + 10 } },
            reported: { on: { timestamp: T0 }, lvl: { timestamp: T0 } },
          },
          version: 2,
        },
        current: {
          state: { desired: { on: true }, reported: { on: true, lvl: 10 } },
          metadata: {
            desired: { on: { timestamp: T0 + 10 } },
            reported: { on: { timestamp: T0 + 20 }, lvl: { timestamp: T0 } },
          },
          version: 3,
        },
        timestamp: T0 + 20,
        clientToken: "t4",
      }],
    ),
    step(
      25,
      `${NAMED}/update`,
      { state: { desired: null }, clientToken: "t5" },
      [`${NAMED}/update/accepted`, {
        state: { desired: null },
        metadata: { desired: { timestamp: T0 + 25 } },
        version: 4,
        timestamp: T0 + 25,
        clientToken: "t5",
      }],
      [`${NAMED}/update/documents`, {
        previous: {
          state: { desired: { on: true }, reported: { on: true, lvl: 10 } },
          metadata: {
            desired: { on: { timestamp: T0 + 10 } },
            reported: { on: { timestamp: T0 + 20 }, lvl: { timestamp: T0 } },
          },
          version: 3,
        },
        current: {
          state: { reported: { on: true, lvl: 10 } },
          metadata: { reported: { on: { timestamp: T0 + 20 }, lvl: { timestamp: T0 } } },
          version: 4,
        },
        timestamp: T0 + 25,
        clientToken: "t5",
      }],
    ),
    step(26, `${NAMED}/get`, "", [`${NAMED}/get/accepted`, {
      state: { reported: { on: true, lvl: 10 } },
      metadata: { reported: { on: { timestamp: T0 + 20 }, lvl: { timestamp: T0 } } },
      version: 4,
      timestamp: T0 + 26,
    }]),
    step(30, `${NAMED}/delete`, { clientToken: "t6" }, [`${NAMED}/delete/accepted`, {
      version: 4,
      timestamp: T0 + 30,
      clientToken: "t6",
    }]),
    step(31, `${NAMED}/get`, "", [`${NAMED}/get/rejected`, {
      code: 404,
      message: "No shadow exists with name: 'cfg'",
    }]),
    step(
      40,
      `${NAMED}/update`,
      { state: { reported: { on: false } } },
      [`${NAMED}/update/accepted`, {
        state: { reported: { on: false } },
        metadata: { reported: { on: { timestamp: T0 + 40 } } },
        version: 5,
        timestamp: T0 + 40,
      }],
      [`${NAMED}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { on: false } },
          metadata: { reported: { on: { timestamp: T0 + 40 } } },
          version: 5,
        },
        timestamp: T0 + 40,
      }],
    ),
  ],
};

function rejected(seconds: number, code: number, message: string, clientToken?: string): JsonValue {
  const document: { [key: string]: JsonValue } = { code, message, timestamp: T0 + seconds };
  if (clientToken !== undefined) document.clientToken = clientToken;
  return document;
}

/** An update that must be rejected on a fresh service, with its expected error. */
function rejection(
  name: string,
  payload: JsonValue | string | Uint8Array,
  code: number,
  message: string,
  clientToken?: string,
): SpecCase {
  return {
    name,
    steps: [
      step(0, `${CLASSIC}/update`, payload, [
        `${CLASSIC}/update/rejected`,
        rejected(0, code, message, clientToken),
      ]),
      // The rejected update left nothing behind.
      step(1, `${CLASSIC}/get`, "", [`${CLASSIC}/get/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'lamp1'",
      }]),
    ],
  };
}

const TOO_DEEP = "JSON contains too many levels of nesting; maximum is 6";

/** A reported section whose serialized desired + reported state is exactly `bytes` long. */
function stateOfSize(bytes: number): { reported: { a: string } } {
  const overhead = JSON.stringify({ reported: { a: "" } }).length;
  return { reported: { a: "x".repeat(bytes - overhead) } };
}

/** `{"a":{"b":...{leaf}}}` with `levels` object levels. */
function nested(levels: number, leaf: JsonValue = 1): JsonValue {
  let value: JsonValue = leaf;
  for (let i = levels - 1; i >= 0; i--) value = { [String.fromCharCode(97 + i)]: value };
  return value;
}

export const SPEC_CASES: SpecCase[] = [
  WORKED_EXAMPLE,
  {
    name: "§1.2 a classic shadow answers on $aws/things/{thing}/shadow/... topics",
    steps: [
      step(0, `${CLASSIC}/update`, { state: { desired: { x: 1 } }, clientToken: "c" }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { desired: { x: 1 } },
          metadata: { desired: { x: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
          clientToken: "c",
        },
      ], [`${CLASSIC}/update/delta`, {
        version: 1,
        timestamp: T0,
        state: { x: 1 },
        metadata: { x: { timestamp: T0 } },
        clientToken: "c",
      }], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { desired: { x: 1 } },
          metadata: { desired: { x: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
        clientToken: "c",
      }]),
      // The named shadow of the same thing is a different shadow.
      step(1, `${NAMED}/get`, "", [`${NAMED}/get/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'cfg'",
      }]),
    ],
  },
  {
    name: "§1.10 the service ignores its own response topics and unknown shadow topics",
    steps: [
      step(0, `${CLASSIC}/update/accepted`, { state: { reported: { x: 1 } } }),
      step(0, `${CLASSIC}/get/rejected`, { clientToken: "x" }),
      step(0, `${CLASSIC}/update/delta`, { state: { x: 1 } }),
      step(0, `${CLASSIC}/list`, { clientToken: "x" }),
      step(0, `$aws/things/${"t".repeat(129)}/shadow/get`, ""),
      step(0, `$aws/things/lamp1/shadow/name/${"s".repeat(65)}/get`, ""),
      step(1, `${CLASSIC}/get`, "", [`${CLASSIC}/get/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'lamp1'",
      }]),
    ],
  },
  {
    name: "§1.1 names outside the allowed characters get GG's 400 messages",
    steps: [
      step(0, "$aws/things/lamp.1/shadow/get", { clientToken: "n" }, [
        "$aws/things/lamp.1/shadow/get/rejected",
        rejected(0, 400, "ThingName must match pattern [a-zA-Z0-9:_-]+"),
      ]),
      step(0, "$aws/things/lamp1/shadow/name/c.fg/update", { state: {} }, [
        "$aws/things/lamp1/shadow/name/c.fg/update/rejected",
        rejected(0, 400, "ShadowName must match pattern [$a-zA-Z0-9:_-]+"),
      ]),
      step(0, `$aws/things/${"t".repeat(128)}/shadow/name/${"s".repeat(64)}/get`, "", [
        `$aws/things/${"t".repeat(128)}/shadow/name/${"s".repeat(64)}/get/rejected`,
        { code: 404, message: `No shadow exists with name: '${"s".repeat(64)}'` },
      ]),
    ],
  },
  {
    name: "§1.3 an update changes only the fields given and null deletes a field",
    steps: [
      step(0, `${CLASSIC}/update`, { state: { reported: { a: 1, b: 2, c: 3 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { a: 1, b: 2, c: 3 } },
          metadata: {
            reported: { a: { timestamp: T0 }, b: { timestamp: T0 }, c: { timestamp: T0 } },
          },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { a: 1, b: 2, c: 3 } },
          metadata: {
            reported: { a: { timestamp: T0 }, b: { timestamp: T0 }, c: { timestamp: T0 } },
          },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(5, `${CLASSIC}/update`, { state: { reported: { b: 20, c: null } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { b: 20, c: null } },
          metadata: { reported: { b: { timestamp: T0 + 5 }, c: { timestamp: T0 + 5 } } },
          version: 2,
          timestamp: T0 + 5,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { reported: { a: 1, b: 2, c: 3 } },
          metadata: {
            reported: { a: { timestamp: T0 }, b: { timestamp: T0 }, c: { timestamp: T0 } },
          },
          version: 1,
        },
        current: {
          state: { reported: { a: 1, b: 20 } },
          metadata: { reported: { a: { timestamp: T0 }, b: { timestamp: T0 + 5 } } },
          version: 2,
        },
        timestamp: T0 + 5,
      }]),
    ],
  },
  {
    name:
      '§1.3 "state": null clears both sections, the shadow still exists and its version increments',
    steps: [
      step(0, `${CLASSIC}/update`, { state: { desired: { a: 1 }, reported: { a: 1 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { desired: { a: 1 }, reported: { a: 1 } },
          metadata: { desired: { a: { timestamp: T0 } }, reported: { a: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { desired: { a: 1 }, reported: { a: 1 } },
          metadata: { desired: { a: { timestamp: T0 } }, reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${CLASSIC}/update`, { state: null, clientToken: "clear" }, [
        `${CLASSIC}/update/accepted`,
        {
          state: null,
          metadata: { timestamp: T0 + 1 },
          version: 2,
          timestamp: T0 + 1,
          clientToken: "clear",
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { desired: { a: 1 }, reported: { a: 1 } },
          metadata: { desired: { a: { timestamp: T0 } }, reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        current: { state: {}, metadata: {}, version: 2 },
        timestamp: T0 + 1,
        clientToken: "clear",
      }]),
      step(2, `${CLASSIC}/get`, "", [`${CLASSIC}/get/accepted`, {
        state: {},
        metadata: {},
        version: 2,
        timestamp: T0 + 2,
      }]),
    ],
  },
  {
    name: '§1.3 {"state":{}} is accepted as a no-op that still increments the version',
    steps: [
      step(0, `${CLASSIC}/update`, { state: { reported: { a: 1 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(3, `${CLASSIC}/update`, { state: {}, version: 1 }, [
        `${CLASSIC}/update/accepted`,
        { state: {}, metadata: {}, version: 2, timestamp: T0 + 3 },
      ], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        current: {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 2,
        },
        timestamp: T0 + 3,
      }]),
    ],
  },
  {
    name:
      "§1.3 a delta key in state and anything outside state are dropped, from the echo and from storage",
    steps: [
      step(0, `${CLASSIC}/update`, {
        state: { reported: { a: 1 }, delta: { a: 2 } },
        metadata: { reported: { a: { timestamp: 1 } } },
        extra: { b: 1 },
      }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
    ],
  },
  {
    name:
      "§1.3 get and delete accept an empty payload and echo the clientToken of a JSON one; a version that does not exist conflicts",
    steps: [
      step(0, `${CLASSIC}/delete`, "", [`${CLASSIC}/delete/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'lamp1'",
      }]),
      step(0, `${CLASSIC}/delete`, { clientToken: "d" }, [`${CLASSIC}/delete/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'lamp1'",
        clientToken: "d",
      }]),
      step(0, `${CLASSIC}/update`, { state: { reported: { a: 1 } }, version: 0 }, [
        `${CLASSIC}/update/rejected`,
        rejected(0, 409, "Version conflict"),
      ]),
      step(0, `${CLASSIC}/get`, { clientToken: "g" }, [`${CLASSIC}/get/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'lamp1'",
        clientToken: "g",
      }]),
    ],
  },
  {
    name: "§1.4 get returns the delta in state, and metadata for desired and reported only",
    steps: [
      step(0, `${NAMED}/update`, { state: { reported: { on: false, fw: "1.2" } } }, [
        `${NAMED}/update/accepted`,
        {
          state: { reported: { on: false, fw: "1.2" } },
          metadata: { reported: { on: { timestamp: T0 }, fw: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${NAMED}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { on: false, fw: "1.2" } },
          metadata: { reported: { on: { timestamp: T0 }, fw: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${NAMED}/update`, { state: { desired: { on: true } } }, [
        `${NAMED}/update/accepted`,
        {
          state: { desired: { on: true } },
          metadata: { desired: { on: { timestamp: T0 + 1 } } },
          version: 2,
          timestamp: T0 + 1,
        },
      ], [`${NAMED}/update/delta`, {
        version: 2,
        timestamp: T0 + 1,
        state: { on: true },
        metadata: { on: { timestamp: T0 + 1 } },
      }], [`${NAMED}/update/documents`, {
        previous: {
          state: { reported: { on: false, fw: "1.2" } },
          metadata: { reported: { on: { timestamp: T0 }, fw: { timestamp: T0 } } },
          version: 1,
        },
        current: {
          state: { desired: { on: true }, reported: { on: false, fw: "1.2" } },
          metadata: {
            desired: { on: { timestamp: T0 + 1 } },
            reported: { on: { timestamp: T0 }, fw: { timestamp: T0 } },
          },
          version: 2,
        },
        timestamp: T0 + 1,
      }]),
      step(2, `${NAMED}/get`, { clientToken: "g" }, [`${NAMED}/get/accepted`, {
        state: {
          desired: { on: true },
          reported: { on: false, fw: "1.2" },
          delta: { on: true },
        },
        metadata: {
          desired: { on: { timestamp: T0 + 1 } },
          reported: { on: { timestamp: T0 }, fw: { timestamp: T0 } },
        },
        version: 2,
        timestamp: T0 + 2,
        clientToken: "g",
      }]),
    ],
  },
  {
    name:
      "§1.4 §1.7 a reported-only update that leaves a difference publishes the whole delta with the older desired timestamps",
    steps: [
      step(0, `${CLASSIC}/update`, { state: { desired: { Color: "red", Status: "Great" } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { desired: { Color: "red", Status: "Great" } },
          metadata: { desired: { Color: { timestamp: T0 }, Status: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/delta`, {
        version: 1,
        timestamp: T0,
        state: { Color: "red", Status: "Great" },
        metadata: { Color: { timestamp: T0 }, Status: { timestamp: T0 } },
      }], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { desired: { Color: "red", Status: "Great" } },
          metadata: { desired: { Color: { timestamp: T0 }, Status: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(9, `${CLASSIC}/update`, { state: { reported: { Color: "red", Status: "Awful" } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { Color: "red", Status: "Awful" } },
          metadata: { reported: { Color: { timestamp: T0 + 9 }, Status: { timestamp: T0 + 9 } } },
          version: 2,
          timestamp: T0 + 9,
        },
      ], [`${CLASSIC}/update/delta`, {
        version: 2,
        timestamp: T0 + 9,
        state: { Status: "Great" },
        metadata: { Status: { timestamp: T0 } },
      }], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { desired: { Color: "red", Status: "Great" } },
          metadata: { desired: { Color: { timestamp: T0 }, Status: { timestamp: T0 } } },
          version: 1,
        },
        current: {
          state: {
            desired: { Color: "red", Status: "Great" },
            reported: { Color: "red", Status: "Awful" },
          },
          metadata: {
            desired: { Color: { timestamp: T0 }, Status: { timestamp: T0 } },
            reported: { Color: { timestamp: T0 + 9 }, Status: { timestamp: T0 + 9 } },
          },
          version: 2,
        },
        timestamp: T0 + 9,
      }]),
    ],
  },
  {
    name:
      "§1.6 objects merge recursively, arrays replace whole with per-element metadata, types may change",
    steps: [
      step(0, `${CLASSIC}/update`, {
        state: { reported: { light: { on: true, rgb: [0, 0, 0] }, mode: "eco", fw: { v: 1 } } },
      }, [`${CLASSIC}/update/accepted`, {
        state: { reported: { light: { on: true, rgb: [0, 0, 0] }, mode: "eco", fw: { v: 1 } } },
        metadata: {
          reported: {
            light: {
              on: { timestamp: T0 },
              rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
            },
            mode: { timestamp: T0 },
            fw: { v: { timestamp: T0 } },
          },
        },
        version: 1,
        timestamp: T0,
      }], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { light: { on: true, rgb: [0, 0, 0] }, mode: "eco", fw: { v: 1 } } },
          metadata: {
            reported: {
              light: {
                on: { timestamp: T0 },
                rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
              },
              mode: { timestamp: T0 },
              fw: { v: { timestamp: T0 } },
            },
          },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(4, `${CLASSIC}/update`, {
        state: { reported: { light: { rgb: [9, 9] }, mode: { eco: true }, fw: "2.0" } },
      }, [`${CLASSIC}/update/accepted`, {
        state: { reported: { light: { rgb: [9, 9] }, mode: { eco: true }, fw: "2.0" } },
        metadata: {
          reported: {
            light: { rgb: [{ timestamp: T0 + 4 }, { timestamp: T0 + 4 }] },
            mode: { eco: { timestamp: T0 + 4 } },
            fw: { timestamp: T0 + 4 },
          },
        },
        version: 2,
        timestamp: T0 + 4,
      }], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { reported: { light: { on: true, rgb: [0, 0, 0] }, mode: "eco", fw: { v: 1 } } },
          metadata: {
            reported: {
              light: {
                on: { timestamp: T0 },
                rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
              },
              mode: { timestamp: T0 },
              fw: { v: { timestamp: T0 } },
            },
          },
          version: 1,
        },
        current: {
          state: { reported: { light: { on: true, rgb: [9, 9] }, mode: { eco: true }, fw: "2.0" } },
          metadata: {
            reported: {
              light: {
                on: { timestamp: T0 },
                rgb: [{ timestamp: T0 + 4 }, { timestamp: T0 + 4 }],
              },
              mode: { eco: { timestamp: T0 + 4 } },
              fw: { timestamp: T0 + 4 },
            },
          },
          version: 2,
        },
        timestamp: T0 + 4,
      }]),
    ],
  },
  {
    name:
      "§1.6 a new object drops its null members, an all-null object is not added, {} deletes a key",
    steps: [
      step(0, `${CLASSIC}/update`, {
        state: { reported: { keep: { x: 1 }, gone: 5, add: { a: 1, b: null }, none: { c: null } } },
      }, [`${CLASSIC}/update/accepted`, {
        state: { reported: { keep: { x: 1 }, gone: 5, add: { a: 1, b: null }, none: { c: null } } },
        metadata: {
          reported: {
            keep: { x: { timestamp: T0 } },
            gone: { timestamp: T0 },
            add: { a: { timestamp: T0 }, b: { timestamp: T0 } },
            none: { c: { timestamp: T0 } },
          },
        },
        version: 1,
        timestamp: T0,
      }], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { keep: { x: 1 }, gone: 5, add: { a: 1 } } },
          metadata: {
            reported: {
              keep: { x: { timestamp: T0 } },
              gone: { timestamp: T0 },
              add: { a: { timestamp: T0 } },
            },
          },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${CLASSIC}/update`, { state: { reported: { gone: {} } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { gone: {} } },
          metadata: { reported: { gone: {} } },
          version: 2,
          timestamp: T0 + 1,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { reported: { keep: { x: 1 }, gone: 5, add: { a: 1 } } },
          metadata: {
            reported: {
              keep: { x: { timestamp: T0 } },
              gone: { timestamp: T0 },
              add: { a: { timestamp: T0 } },
            },
          },
          version: 1,
        },
        current: {
          state: { reported: { keep: { x: 1 }, add: { a: 1 } } },
          metadata: { reported: { keep: { x: { timestamp: T0 } }, add: { a: { timestamp: T0 } } } },
          version: 2,
        },
        timestamp: T0 + 1,
      }]),
    ],
  },
  {
    name: "§1.6 a section whose last key is deleted disappears, with its metadata",
    steps: [
      step(0, `${CLASSIC}/update`, { state: { desired: { foo: 1 }, reported: { foo: 1 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { desired: { foo: 1 }, reported: { foo: 1 } },
          metadata: { desired: { foo: { timestamp: T0 } }, reported: { foo: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { desired: { foo: 1 }, reported: { foo: 1 } },
          metadata: { desired: { foo: { timestamp: T0 } }, reported: { foo: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${CLASSIC}/update`, { state: { desired: { foo: null } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { desired: { foo: null } },
          metadata: { desired: { foo: { timestamp: T0 + 1 } } },
          version: 2,
          timestamp: T0 + 1,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { desired: { foo: 1 }, reported: { foo: 1 } },
          metadata: { desired: { foo: { timestamp: T0 } }, reported: { foo: { timestamp: T0 } } },
          version: 1,
        },
        current: {
          state: { reported: { foo: 1 } },
          metadata: { reported: { foo: { timestamp: T0 } } },
          version: 2,
        },
        timestamp: T0 + 1,
      }]),
    ],
  },
  {
    name:
      "§1.6 a shadow re-created within 48 h continues from the deleted version, after 48 h from 1",
    steps: [
      step(0, `${CLASSIC}/update`, { state: { reported: { a: 1 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { a: 1 } },
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${CLASSIC}/delete`, "", [`${CLASSIC}/delete/accepted`, {
        version: 1,
        timestamp: T0 + 1,
      }]),
      step(1 + 48 * 3600, `${CLASSIC}/update`, { state: { reported: { a: 2 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { a: 2 } },
          metadata: { reported: { a: { timestamp: T0 + 1 + 48 * 3600 } } },
          version: 2,
          timestamp: T0 + 1 + 48 * 3600,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { a: 2 } },
          metadata: { reported: { a: { timestamp: T0 + 1 + 48 * 3600 } } },
          version: 2,
        },
        timestamp: T0 + 1 + 48 * 3600,
      }]),
      step(2 + 48 * 3600, `${CLASSIC}/delete`, "", [`${CLASSIC}/delete/accepted`, {
        version: 2,
        timestamp: T0 + 2 + 48 * 3600,
      }]),
      step(3 + 96 * 3600, `${CLASSIC}/update`, { state: { reported: { a: 3 } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { a: 3 } },
          metadata: { reported: { a: { timestamp: T0 + 3 + 96 * 3600 } } },
          version: 1,
          timestamp: T0 + 3 + 96 * 3600,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: { a: 3 } },
          metadata: { reported: { a: { timestamp: T0 + 3 + 96 * 3600 } } },
          version: 1,
        },
        timestamp: T0 + 3 + 96 * 3600,
      }]),
    ],
  },
  {
    name:
      "§1.7 the constructed delta example: nested leaves only, arrays whole, reported-only keys never",
    steps: [
      step(0, `${CLASSIC}/update`, {
        state: {
          desired: { light: { on: true, rgb: [255, 0, 0] }, mode: "eco" },
          reported: { light: { on: true, rgb: [0, 0, 0] }, fw: "1.2" },
        },
      }, [`${CLASSIC}/update/accepted`, {
        state: {
          desired: { light: { on: true, rgb: [255, 0, 0] }, mode: "eco" },
          reported: { light: { on: true, rgb: [0, 0, 0] }, fw: "1.2" },
        },
        metadata: {
          desired: {
            light: {
              on: { timestamp: T0 },
              rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
            },
            mode: { timestamp: T0 },
          },
          reported: {
            light: {
              on: { timestamp: T0 },
              rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
            },
            fw: { timestamp: T0 },
          },
        },
        version: 1,
        timestamp: T0,
      }], [`${CLASSIC}/update/delta`, {
        version: 1,
        timestamp: T0,
        state: { light: { rgb: [255, 0, 0] }, mode: "eco" },
        metadata: {
          light: { rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }] },
          mode: { timestamp: T0 },
        },
      }], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: {
            desired: { light: { on: true, rgb: [255, 0, 0] }, mode: "eco" },
            reported: { light: { on: true, rgb: [0, 0, 0] }, fw: "1.2" },
          },
          metadata: {
            desired: {
              light: {
                on: { timestamp: T0 },
                rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
              },
              mode: { timestamp: T0 },
            },
            reported: {
              light: {
                on: { timestamp: T0 },
                rgb: [{ timestamp: T0 }, { timestamp: T0 }, { timestamp: T0 }],
              },
              fw: { timestamp: T0 },
            },
          },
          version: 1,
        },
        timestamp: T0,
      }]),
    ],
  },
  {
    name: "§1.7 a key deleted from reported but still desired reappears in the delta; 1.0 equals 1",
    steps: [
      step(0, `${CLASSIC}/update`, '{"state":{"desired":{"n":1},"reported":{"n":1.0}}}', [
        `${CLASSIC}/update/accepted`,
        {
          state: { desired: { n: 1 }, reported: { n: 1 } },
          metadata: { desired: { n: { timestamp: T0 } }, reported: { n: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { desired: { n: 1 }, reported: { n: 1 } },
          metadata: { desired: { n: { timestamp: T0 } }, reported: { n: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${CLASSIC}/update`, { state: { reported: { n: null } } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: { n: null } },
          metadata: { reported: { n: { timestamp: T0 + 1 } } },
          version: 2,
          timestamp: T0 + 1,
        },
      ], [`${CLASSIC}/update/delta`, {
        version: 2,
        timestamp: T0 + 1,
        state: { n: 1 },
        metadata: { n: { timestamp: T0 } },
      }], [`${CLASSIC}/update/documents`, {
        previous: {
          state: { desired: { n: 1 }, reported: { n: 1 } },
          metadata: { desired: { n: { timestamp: T0 } }, reported: { n: { timestamp: T0 } } },
          version: 1,
        },
        current: {
          state: { desired: { n: 1 } },
          metadata: { desired: { n: { timestamp: T0 } } },
          version: 2,
        },
        timestamp: T0 + 1,
      }]),
    ],
  },
  {
    name: "§1.8 desired + reported of exactly 8192 bytes is accepted; metadata does not count",
    steps: [
      step(0, `${CLASSIC}/update`, { state: stateOfSize(8192) }, [
        `${CLASSIC}/update/accepted`,
        {
          state: stateOfSize(8192),
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: stateOfSize(8192),
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
    ],
  },
  rejection(
    "§1.8 desired + reported of 8193 bytes is rejected with 413",
    { state: stateOfSize(8193), clientToken: "big" },
    413,
    "The payload exceeds the maximum size allowed",
    "big",
  ),
  {
    name:
      "§1.8 the merged document counts, not the request: a small update that overflows is rejected",
    steps: [
      step(0, `${CLASSIC}/update`, { state: stateOfSize(8100) }, [
        `${CLASSIC}/update/accepted`,
        {
          state: stateOfSize(8100),
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: stateOfSize(8100),
          metadata: { reported: { a: { timestamp: T0 } } },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(1, `${CLASSIC}/update`, { state: { desired: { b: "y".repeat(100) } }, version: 1 }, [
        `${CLASSIC}/update/rejected`,
        rejected(1, 413, "The payload exceeds the maximum size allowed"),
      ]),
      // A version conflict is checked before the size (§1.5 order, step 6 before 7).
      step(2, `${CLASSIC}/update`, { state: { desired: { b: "y".repeat(100) } }, version: 5 }, [
        `${CLASSIC}/update/rejected`,
        rejected(2, 409, "Version conflict"),
      ]),
      step(3, `${CLASSIC}/get`, "", [`${CLASSIC}/get/accepted`, {
        state: stateOfSize(8100),
        metadata: { reported: { a: { timestamp: T0 } } },
        version: 1,
        timestamp: T0 + 3,
      }]),
    ],
  },
  {
    name: "§1.8 six levels of nesting are accepted; empty objects and arrays add no level",
    steps: [
      step(0, `${NAMED}/update`, { state: { desired: nested(6, 1) } }, [
        `${NAMED}/update/accepted`,
        {
          state: { desired: nested(6, 1) },
          metadata: { desired: nested(6, { timestamp: T0 }) },
          version: 1,
          timestamp: T0,
        },
      ], [`${NAMED}/update/delta`, {
        version: 1,
        timestamp: T0,
        state: nested(6, 1),
        metadata: nested(6, { timestamp: T0 }),
      }], [`${NAMED}/update/documents`, {
        previous: null,
        current: {
          state: { desired: nested(6, 1) },
          metadata: { desired: nested(6, { timestamp: T0 }) },
          version: 1,
        },
        timestamp: T0,
      }]),
      step(0, `${CLASSIC}/update`, { state: { reported: nested(5, { x: {}, y: [] }) } }, [
        `${CLASSIC}/update/accepted`,
        {
          state: { reported: nested(5, { x: {}, y: [] }) },
          metadata: { reported: nested(5, { x: {}, y: [] }) },
          version: 1,
          timestamp: T0,
        },
      ], [`${CLASSIC}/update/documents`, {
        previous: null,
        current: {
          state: { reported: nested(5, { x: {}, y: [] }) },
          metadata: { reported: nested(5, { x: {}, y: [] }) },
          version: 1,
        },
        timestamp: T0,
      }]),
    ],
  },
  rejection(
    "§1.9 seven object levels under reported are rejected with 400",
    { state: { reported: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } } },
    400,
    TOO_DEEP,
  ),
  rejection(
    "§1.8 an array counts as a level of nesting",
    { state: { desired: nested(6, [1]) }, clientToken: "arr" },
    400,
    TOO_DEEP,
    "arr",
  ),
  rejection(
    '§1.9 "reported": [1,2] is rejected: Reported node must be an object',
    { state: { reported: [1, 2] } },
    400,
    "Reported node must be an object",
  ),
  rejection(
    "§1.9 a clientToken of 65 ASCII characters is rejected: Invalid clientToken",
    { clientToken: "k".repeat(65), state: {} },
    400,
    "Invalid clientToken",
  ),
  rejection(
    "§1.8 the clientToken limit is 64 bytes of UTF-8, not 64 characters",
    { clientToken: "é".repeat(33), state: {} },
    400,
    "Invalid clientToken",
  ),
  rejection(
    "§1.5 a clientToken that is not a string is rejected",
    { clientToken: 7, state: {} },
    400,
    "Invalid clientToken",
  ),
  rejection(
    "§1.5 bytes that are not UTF-8 are rejected with 415",
    new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    415,
    "Unsupported documented encoding; supported encoding is UTF-8",
  ),
  rejection("§1.5 a payload that is not JSON is rejected", "{state:", 400, "Invalid JSON"),
  rejection("§1.5 an empty update payload is Invalid JSON", "", 400, "Invalid JSON"),
  rejection("§1.5 a top-level JSON array is Invalid JSON", "[1]", 400, "Invalid JSON"),
  rejection(
    "§1.5 an update without state is rejected, echoing the clientToken",
    { clientToken: "m" },
    400,
    "Missing required node: state",
    "m",
  ),
  rejection(
    "§1.5 a state that is a string is rejected",
    { state: "on" },
    400,
    "State node must be an object",
  ),
  rejection(
    "§1.5 a desired that is a number is rejected",
    { state: { desired: 5 } },
    400,
    "Desired node must be an object",
  ),
  rejection(
    "§1.5 a state key other than desired, reported and delta is rejected",
    { state: { reported: { a: 1 }, wanted: { a: 2 } } },
    400,
    "State contains an invalid node",
  ),
  rejection(
    "§1.5 an array containing null is rejected",
    { state: { reported: { list: [1, null, 3] } } },
    400,
    "Array values must not be null",
  ),
  rejection(
    "§1.5 a version that is a string is rejected",
    { state: {}, version: "1" },
    400,
    "Invalid version",
  ),
  rejection(
    "§1.5 a negative or fractional version is rejected",
    { state: {}, version: 1.5 },
    400,
    "Invalid version",
  ),
  rejection(
    "§1.5 order: an invalid clientToken is reported before a missing state",
    { clientToken: "k".repeat(65) },
    400,
    "Invalid clientToken",
  ),
  rejection(
    "§1.5 order: a missing state is reported before an invalid version",
    { version: "x", clientToken: "o" },
    400,
    "Missing required node: state",
    "o",
  ),
  rejection(
    "§1.5 order: too deep is reported before an invalid version",
    { state: { reported: nested(7) }, version: -1 },
    400,
    TOO_DEEP,
  ),
  rejection(
    "§1.5 order: an invalid version is reported before a version conflict",
    { state: { reported: { a: 1 } }, version: -1 },
    400,
    "Invalid version",
  ),
  {
    name: "§1.5 §1.8 the 21st request on one thing within a second gets 429",
    steps: [
      ...Array.from(
        { length: 20 },
        (_, i) =>
          step(0, `${CLASSIC}/get`, { clientToken: `r${i}` }, [`${CLASSIC}/get/rejected`, {
            code: 404,
            message: "No shadow exists with name: 'lamp1'",
            clientToken: `r${i}`,
          }]),
      ),
      step(0, `${NAMED}/update`, { state: {}, clientToken: "r20" }, [
        `${NAMED}/update/rejected`,
        rejected(0, 429, "Too Many Requests", "r20"),
      ]),
      // Another thing has its own budget, and the next second starts afresh.
      step(0, "$aws/things/lamp2/shadow/get", "", ["$aws/things/lamp2/shadow/get/rejected", {
        code: 404,
        message: "No shadow exists with name: 'lamp2'",
      }]),
      step(1, `${CLASSIC}/get`, "", [`${CLASSIC}/get/rejected`, {
        code: 404,
        message: "No shadow exists with name: 'lamp1'",
      }]),
    ],
  },
];
