// The station's version, written as `$tk.server_version` and shown by `tk --version`.
import { PACKAGE_VERSION } from './package-root.js';

export const STATION_VERSION: string = PACKAGE_VERSION;
