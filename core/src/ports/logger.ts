/** Structured, levelled logging; adapters decide where lines go (console, Cloud Logging). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger that keeps every line in memory; used by tests to assert what was said. */
export function memoryLogger(base: LogFields = {}): Logger & {
  lines: { level: string; message: string; fields: LogFields }[];
} {
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const make = (bound: LogFields): Logger => {
    const log =
      (level: string) =>
      (message: string, fields: LogFields = {}) => {
        lines.push({ level, message, fields: { ...bound, ...fields } });
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return Object.assign(make(base), { lines });
}
