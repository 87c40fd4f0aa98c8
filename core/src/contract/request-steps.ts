/**
 * The names of a request's progress steps (`vmPool/requests/{id}/result/steps[].name` and
 * `result.step`), as the control plane writes them and the web app, the CLI and the pool
 * insights read them. One place: never spell a step name anywhere else.
 */
export const REQUEST_STEPS = {
  check: 'Check request',
  claim: 'Claim VM',
  /** A stopped VM started for the request (a cold assign). */
  start: 'Start instance',
  /** A new instance launched for the request. */
  launch: 'Launch instance',
  waitAgent: 'Wait for agent',
  handOver: 'Hand over',
  release: 'Mark releasing',
  cleanup: 'Clean up VM',
  unlink: 'Unlink competition',
  returnVm: 'Return VM to pool',
  ec2: 'Call EC2',
  waitEc2: 'Wait for EC2',
  update: 'Update pool',
  /** Issue 12: a failover's spare imports the competition's saved show state before hand-over. */
  restore: 'Restore state',
} as const;

export type RequestStepKey = keyof typeof REQUEST_STEPS;
export type RequestStepName = (typeof REQUEST_STEPS)[RequestStepKey];

/** `result.step` of a request that succeeded (past its last step). */
export const REQUEST_DONE_STEP = 'Done';

/** How an assign got its VM: warm (running, free), a cold start, or a new instance. */
export type AssignVia = 'warm' | 'cold' | 'launch';

/**
 * How an assign got its VM, from the names of its progress steps: the control plane's step
 * list names a start or a launch only when the assign did one.
 */
export function assignViaOfSteps(stepNames: readonly string[]): AssignVia {
  if (stepNames.includes(REQUEST_STEPS.launch)) return 'launch';
  if (stepNames.includes(REQUEST_STEPS.start)) return 'cold';
  return 'warm';
}
