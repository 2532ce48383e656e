/** The vmd version this build reports (`vmd version`, MonitorService). */
export const VERSION = '0.1.0';
