export {
  startLocalFunctionsHost,
  type LocalFunctionsHost,
  type LocalHostOptions,
} from './local-host';
export { alertWebhookUrlProblem, maskWebhookUrl } from '../adapters/webhook/http-alert-webhook';
