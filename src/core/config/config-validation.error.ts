/**
 * A setting that cannot work: main.ts prints the message (which names the variable) and exits 78.
 * In a file of its own so that code outside config (the root logger) can throw it without loading
 * the schema class and its validators.
 */
export class ConfigValidationError extends Error {}
