export const APP_NAME = '@x/fleet';
