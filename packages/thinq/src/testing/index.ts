/** Test helpers and simulator of @x/thinq. */
export const TESTING_PACKAGE_NAME = '@x/thinq/testing';
