/** Test helpers and simulator of @x/comap. */
export const TESTING_PACKAGE_NAME = '@x/comap/testing';
