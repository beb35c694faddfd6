/** Test helpers and simulator of @x/http-core. */
export const TESTING_PACKAGE_NAME = '@x/http-core/testing';
