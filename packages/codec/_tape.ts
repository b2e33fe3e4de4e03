// Record tags of the decoder's tape, as written by codec-wasm/assembly/tape.ts.
// Each record is three i32: (tag, a, b).

export const T_PACKET = 1;
export const T_END = 2;
export const T_PACKET_ID = 3;
export const T_REASON = 4;
export const T_CONNECT = 5;
export const T_KEEP_ALIVE = 6;
export const T_CLIENT_ID = 7;
export const T_WILL_PROPERTIES = 8;
export const T_WILL_TOPIC = 9;
export const T_WILL_PAYLOAD = 10;
export const T_USERNAME = 11;
export const T_PASSWORD = 12;
export const T_CONNACK_FLAGS = 13;
export const T_TOPIC = 14;
export const T_PAYLOAD = 15;
export const T_FILTER = 16;
export const T_OPTIONS = 17;
export const T_CODES = 18;
export const T_USER_KEY = 19;
export const T_USER_VALUE = 20;
export const T_PROPERTY = 0x100;
