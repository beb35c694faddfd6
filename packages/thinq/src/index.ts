/** Public face of @x/thinq. */
export * from './errors.js';
export * from './signature.js';
export * from './model.js';
export * from './status.js';
