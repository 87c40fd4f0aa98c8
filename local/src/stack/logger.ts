// The stack's loggers (the Logger port): one line per event, fields as JSON. The console gets
// what a person watching `npm start` needs; a file can take everything.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogFields, Logger } from '@vmpool/core/ports';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

type Sink = { minLevel: Level; write: (line: string) => void };

function lineLogger(sinks: readonly Sink[], bound: LogFields): Logger {
  const log =
    (level: Level) =>
    (message: string, fields: LogFields = {}): void => {
      const wanted = sinks.filter((sink) => LEVELS.indexOf(level) >= LEVELS.indexOf(sink.minLevel));
      if (wanted.length === 0) return;
      const all = { ...bound, ...fields };
      const extra = Object.keys(all).length > 0 ? ` ${JSON.stringify(all)}` : '';
      const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}${extra}\n`;
      for (const sink of wanted) sink.write(line);
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => lineLogger(sinks, { ...bound, ...fields }),
  };
}

const stderrSink = (minLevel: Level): Sink => ({
  minLevel,
  write: (line) => process.stderr.write(line),
});

export function consoleLogger(minLevel: Level = 'info', bound: LogFields = {}): Logger {
  return lineLogger([stderrSink(minLevel)], bound);
}

/** Everything from `fileMinLevel` into `file`, and from `consoleMinLevel` onto the console. */
export function teeLogger(
  file: string,
  fileMinLevel: Level,
  consoleMinLevel: Level,
  bound: LogFields = {},
): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return lineLogger(
    [
      { minLevel: fileMinLevel, write: (line) => appendFileSync(file, line) },
      stderrSink(consoleMinLevel),
    ],
    bound,
  );
}
