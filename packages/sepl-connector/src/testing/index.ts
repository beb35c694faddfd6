/** Test helpers and simulator of @x/sepl-connector. */
export const TESTING_PACKAGE_NAME = '@x/sepl-connector/testing';
