// Log lines for journald and the local stack: one line each, level and component first, so
// that `journalctl -u vmpool-agent` reads clearly.
import type { LogFields, Logger } from '@vmpool/core/ports';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

export function consoleLogger(
  minLevel: Level,
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = LEVELS.indexOf(minLevel);
  const make = (bound: LogFields): Logger => {
    const log =
      (level: Level) =>
      (message: string, fields: LogFields = {}) => {
        if (LEVELS.indexOf(level) < threshold) return;
        const merged = { ...bound, ...fields };
        const { component, ...rest } = merged;
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest, errorReplacer)}` : '';
        const prefix = typeof component === 'string' ? `[${component}] ` : '';
        write(`${new Date().toISOString()} ${level.toUpperCase()} ${prefix}${message}${extra}\n`);
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make(base);
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}
