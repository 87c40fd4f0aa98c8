export {
  startLocalFunctionsHost,
  type LocalFunctionsHost,
  type LocalHostOptions,
} from './local-host';
/** The in-memory cloud, for benches that run the host without AWS or local VMs. */
export { MemoryCompute } from '../adapters/memory';
export { alertWebhookUrlProblem, maskWebhookUrl } from '../adapters/webhook/http-alert-webhook';
