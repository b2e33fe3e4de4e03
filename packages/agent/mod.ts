/**
 * `@tern/agent`.
 *
 * @module
 */
export {};
