/** Public face of @x/http-core. */
export const PACKAGE_NAME = '@x/http-core';
