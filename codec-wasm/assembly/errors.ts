// Error codes the decoder reports in the status block. build.ts writes them to
// packages/codec/_wasm_abi.ts; packages/codec/_decode_errors.ts turns each into a message
// and an error class (its table is typed so that a code without a message does not compile).

export const E_RESERVED_FLAGS: i32 = 1;
export const E_QOS3: i32 = 2;
export const E_VARINT: i32 = 3;
export const E_TOO_LARGE: i32 = 4;
export const E_TRUNCATED: i32 = 5;
export const E_TRAILING: i32 = 6;
export const E_UTF8_INVALID: i32 = 7;
export const E_UTF8_NULL: i32 = 8;
export const E_UTF8_SURROGATE: i32 = 9;
export const E_UTF8_OVERLONG: i32 = 10;
export const E_WILDCARD: i32 = 11;
export const E_EMPTY_TOPIC: i32 = 12;
export const E_PACKET_ID_ZERO: i32 = 13;
export const E_DUPLICATE_PROPERTY: i32 = 14;
export const E_PROPERTY_NOT_ALLOWED: i32 = 15;
export const E_NO_FILTERS: i32 = 16;
export const E_OPTION_RESERVED: i32 = 17;
export const E_PROPERTY_VALUE: i32 = 18;
export const E_PROTOCOL_NAME: i32 = 19;
export const E_PROTOCOL_LEVEL: i32 = 20;
export const E_CONNECT_RESERVED: i32 = 21;
export const E_WILL_FLAGS: i32 = 22;
export const E_PASSWORD_FLAG: i32 = 23;
export const E_PACKET_TYPE: i32 = 24;
export const E_CONNACK_FLAGS: i32 = 25;
export const E_REASON_CODE: i32 = 26;
export const E_RETAIN_HANDLING: i32 = 27;
export const E_EMPTY_FILTER: i32 = 28;
export const E_TOPIC_ALIAS_ZERO: i32 = 29;
export const E_NO_REASON_CODES: i32 = 30;
export const E_SUBSCRIPTION_ID_ZERO: i32 = 31;
export const E_DUP_QOS0: i32 = 32;
