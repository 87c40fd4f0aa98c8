import { ComputeError, type ComputeErrorCode, type ComputePort } from '@vmpool/core/ports';
import type { ComputeMethod } from './memory-compute';

interface PlannedFault {
  method: ComputeMethod;
  code: ComputeErrorCode;
  remaining: number;
}

const PROVIDER_CODES: Partial<Record<ComputeErrorCode, string>> = {
  THROTTLED: 'RequestLimitExceeded',
  CAPACITY: 'InsufficientInstanceCapacity',
  WRONG_STATE: 'IncorrectInstanceState',
  UNAVAILABLE: 'ServiceUnavailable',
};

/**
 * A ComputePort decorator that fails chosen calls with classified errors (throttling,
 * capacity, wrong state…) before they reach the inner port, for fault tests.
 */
export class FaultyCompute implements ComputePort {
  private readonly faults: PlannedFault[] = [];
  readonly injected: { method: ComputeMethod; code: ComputeErrorCode }[] = [];

  constructor(private readonly inner: ComputePort) {}

  /** The next `times` calls of `method` fail with `code`. */
  fail(method: ComputeMethod, code: ComputeErrorCode, times = 1): this {
    this.faults.push({ method, code, remaining: times });
    return this;
  }

  clear(): void {
    this.faults.length = 0;
  }

  private check(method: ComputeMethod): void {
    const fault = this.faults.find((planned) => planned.method === method && planned.remaining > 0);
    if (!fault) return;
    fault.remaining -= 1;
    this.injected.push({ method, code: fault.code });
    throw new ComputeError(
      fault.code,
      `injected ${fault.code} on ${method}`,
      PROVIDER_CODES[fault.code],
    );
  }

  describePoolInstances: ComputePort['describePoolInstances'] = async (...args) => {
    this.check('describePoolInstances');
    return this.inner.describePoolInstances(...args);
  };
  startInstance: ComputePort['startInstance'] = async (...args) => {
    this.check('startInstance');
    return this.inner.startInstance(...args);
  };
  stopInstance: ComputePort['stopInstance'] = async (...args) => {
    this.check('stopInstance');
    return this.inner.stopInstance(...args);
  };
  rebootInstance: ComputePort['rebootInstance'] = async (...args) => {
    this.check('rebootInstance');
    return this.inner.rebootInstance(...args);
  };
  launchInstance: ComputePort['launchInstance'] = async (...args) => {
    this.check('launchInstance');
    return this.inner.launchInstance(...args);
  };
  terminateInstance: ComputePort['terminateInstance'] = async (...args) => {
    this.check('terminateInstance');
    return this.inner.terminateInstance(...args);
  };
  tagInstance: ComputePort['tagInstance'] = async (...args) => {
    this.check('tagInstance');
    return this.inner.tagInstance(...args);
  };
  describeInstanceStatus: ComputePort['describeInstanceStatus'] = async (...args) => {
    this.check('describeInstanceStatus');
    return this.inner.describeInstanceStatus(...args);
  };
}
