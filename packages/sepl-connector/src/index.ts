/** Public face of @x/sepl-connector. */
export const PACKAGE_NAME = '@x/sepl-connector';
