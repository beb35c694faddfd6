/** Test helpers shared by the @x simulators and tests: loopback servers, a router, TLS material, faults, a clock. */
export { readBody, readJsonBody, sendJson, startTestServer } from './server.js';
export type { TestHandler, TestServer, TestServerOptions } from './server.js';
export { createRouter } from './router.js';
export type { RouteHandler, RouteParams, Router } from './router.js';
export { testCertificate } from './certificate.js';
export type { TestCertificate } from './certificate.js';
export * as faults from './faults.js';
export { delay, failTimes, malformedJson, resetMidBody, slowBody, tooManyRequests } from './faults.js';
export type { CountingHandler } from './faults.js';
export { createTestClock } from './clock.js';
export type { TestClock, TestClockOptions } from './clock.js';
