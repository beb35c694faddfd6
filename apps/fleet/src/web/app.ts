export const dashboardVersion = 0;
