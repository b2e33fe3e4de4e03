import { MemoryStore } from "./memory_store.ts";
import { testSessionStore } from "./testdata/session_store_contract.ts";

testSessionStore("MemoryStore", () => new MemoryStore());
