/** Public face of @x/devicecloud-monitor. */
export const PACKAGE_NAME = '@x/devicecloud-monitor';
