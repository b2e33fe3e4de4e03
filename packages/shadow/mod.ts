/**
 * `@tern/shadow`.
 *
 * @module
 */
export {};
