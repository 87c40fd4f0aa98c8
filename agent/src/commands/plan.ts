// What the executor needs to know about a command before running it: the argv steps and the
// time budget, or why it must not run. Built from core's catalogue (see catalogue.ts).

export interface CommandPlan {
  op: string;
  steps: string[][];
  timeoutMs: number;
}

export type PlanOutcome =
  | { kind: 'run'; plan: CommandPlan }
  | { kind: 'rejected'; reason: string }
  | { kind: 'expired'; reason: string };

export type CommandPlanner = (raw: unknown, now: number) => PlanOutcome;
