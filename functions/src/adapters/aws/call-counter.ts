import type { Pluggable } from '@smithy/types';

/**
 * Counts AWS API usage per operation: `calls` are logical SDK calls (one per `send`), `attempts`
 * are HTTP requests including retries. The benchmark reports EC2 API calls per reconcile with it.
 */
export class AwsCallCounter {
  readonly calls = new Map<string, number>();
  readonly attempts = new Map<string, number>();

  record(kind: 'calls' | 'attempts', operation: string): void {
    const counts = this[kind];
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  }

  total(kind: 'calls' | 'attempts' = 'calls'): number {
    let sum = 0;
    for (const count of this[kind].values()) sum += count;
    return sum;
  }

  count(operation: string, kind: 'calls' | 'attempts' = 'calls'): number {
    return this[kind].get(operation) ?? 0;
  }

  reset(): void {
    this.calls.clear();
    this.attempts.clear();
  }

  /** SDK middleware: `initialize` runs once per call, `finalizeRequest` (after retry) per attempt. */
  plugin<Input extends object, Output extends object>(): Pluggable<Input, Output> {
    return {
      applyToStack: (stack) => {
        stack.add(
          (next, context) => async (args) => {
            this.record('calls', String(context.commandName ?? 'unknown'));
            return next(args);
          },
          { step: 'initialize', name: 'vmpoolCallCounter', override: true },
        );
        stack.add(
          (next, context) => async (args) => {
            this.record('attempts', String(context.commandName ?? 'unknown'));
            return next(args);
          },
          { step: 'deserialize', name: 'vmpoolAttemptCounter', override: true },
        );
      },
    };
  }
}
