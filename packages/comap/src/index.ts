/** Public face of @x/comap. */
export const PACKAGE_NAME = '@x/comap';
