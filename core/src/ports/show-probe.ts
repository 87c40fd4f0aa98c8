/**
 * Asks a VM's show server whether it answers, from the control plane's side: production and the
 * local stack do `GET http://{vmAddress}/api/status` with a short timeout, retried (failover
 * detection; PRD §10.1). Tests may pass an implementation that answers from a table.
 */
export interface ShowServerProbe {
  /** True when the show server answered with a 2xx status within the probe's budget. */
  reachable(vmAddress: string): Promise<boolean>;
}
