/** Public face of @x/thinq. */
export * from './errors.js';
export * from './signature.js';
export * from './model.js';
export * from './status.js';
export * from './v1-client.js';
export * from './connect-region.js';
export * from './connect-errors.js';
export * from './connect-profile.js';
export * from './connect-client.js';
export * from './x509.js';
export * from './connect-push.js';
export * from './v1-devices.js';
