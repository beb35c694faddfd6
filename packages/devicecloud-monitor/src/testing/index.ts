/** Test helpers and simulator of @x/devicecloud-monitor. */
export const TESTING_PACKAGE_NAME = '@x/devicecloud-monitor/testing';
