import type { LogFields, Logger } from '@vmpool/core/ports';

const ORDER = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof ORDER)[number];

/** One JSON line per entry on stderr, at or above `minLevel`. */
export function consoleLogger(minLevel: Level = 'info', base: LogFields = {}): Logger {
  const emit =
    (level: Level) =>
    (message: string, fields: LogFields = {}) => {
      if (ORDER.indexOf(level) < ORDER.indexOf(minLevel)) return;
      console.error(JSON.stringify({ level, message, ...base, ...fields }));
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => consoleLogger(minLevel, { ...base, ...fields }),
  };
}
