// What the executor needs to know about a command before running it: the argv steps and the
// time budget, or why it must not run. Built from core's catalogue (see catalogue.ts).

export interface CommandPlan {
  op: string;
  steps: string[][];
  timeoutMs: number;
  /** An op the agent carries out itself (core's `inAgent`), with its validated arguments. */
  inAgent?: { args: Record<string, unknown> };
}

/** Runs an in-agent op; resolves with its output text, rejects with why it failed. */
export type InAgentHandler = (
  args: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<string>;

export type PlanOutcome =
  | { kind: 'run'; plan: CommandPlan }
  | { kind: 'rejected'; reason: string }
  | { kind: 'expired'; reason: string };

export type CommandPlanner = (raw: unknown, now: number) => PlanOutcome;
