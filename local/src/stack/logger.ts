// The stack's console logger (the Logger port): one line per event, fields as JSON.
import type { LogFields, Logger } from '@vmpool/core/ports';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

export function consoleLogger(
  minLevel: Level = 'info',
  bound: LogFields = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = LEVELS.indexOf(minLevel);
  const log =
    (level: Level) =>
    (message: string, fields: LogFields = {}): void => {
      if (LEVELS.indexOf(level) < min) return;
      const all = { ...bound, ...fields };
      const extra = Object.keys(all).length > 0 ? ` ${JSON.stringify(all)}` : '';
      write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${extra}\n`);
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => consoleLogger(minLevel, { ...bound, ...fields }, write),
  };
}
