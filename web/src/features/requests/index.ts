/**
 * Pool requests: writing `vmPool/requests/{requestId}` and following the result the control
 * plane writes beside it (state, steps, progress, error).
 */
export {
  RateLimitedError,
  submitRequest,
  waitForFinalResult,
  type NewPoolRequest,
  type RequestHandle,
} from './api/requests';
export { RequestProgress } from './components/RequestProgress';
export { useRequest, type RequestView } from './hooks/useRequest';
export { useTrackedRequests, type TrackedRequest } from './hooks/useTrackedRequests';
export { hasFailed, hasSucceeded, isFinished } from './lib/requestState';
export { foreignRequestTitle } from './lib/requestTitle';
