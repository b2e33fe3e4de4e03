/**
 * `@tern/aws`.
 *
 * @module
 */
export {};
