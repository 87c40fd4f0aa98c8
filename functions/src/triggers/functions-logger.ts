import { logger as functionsLogger } from 'firebase-functions';
import type { LogFields, Logger } from '@vmpool/core/ports';

/** Logger over Cloud Logging's structured entries (firebase-functions' logger). */
export function cloudLogger(base: LogFields = {}): Logger {
  return {
    debug: (message, fields = {}) => functionsLogger.debug(message, { ...base, ...fields }),
    info: (message, fields = {}) => functionsLogger.info(message, { ...base, ...fields }),
    warn: (message, fields = {}) => functionsLogger.warn(message, { ...base, ...fields }),
    error: (message, fields = {}) => functionsLogger.error(message, { ...base, ...fields }),
    child: (fields) => cloudLogger({ ...base, ...fields }),
  };
}
