/** Public face of @x/thinq. */
export const PACKAGE_NAME = '@x/thinq';
