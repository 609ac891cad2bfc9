/** The Docker Engine API version this daemon speaks; clients negotiate down from it. */
export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
export const DAEMON_VERSION = '0.1.0';
