/**
 * `@tern/subscriptions`.
 *
 * @module
 */
export {};
