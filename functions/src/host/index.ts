export {
  startLocalFunctionsHost,
  type LocalFunctionsHost,
  type LocalHostOptions,
} from './local-host';
