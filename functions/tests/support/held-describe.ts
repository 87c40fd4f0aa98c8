// EC2's describe held up: the call a reconcile makes first, for tests of a run that hangs on a
// cloud call (the host's schedule, its stop, its invocation deadlines).
import type { ComputePort } from '@vmpool/core/ports';

/**
 * `compute` whose `describePoolInstances` calls `hold(n)` says to hold (n counts calls from 1)
 * do not answer until `release()`; the others pass through. `asks()` counts every call.
 */
export function heldDescribe<C extends ComputePort>(compute: C, hold: (n: number) => boolean) {
  let asks = 0;
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = new Proxy(compute, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      // Other methods on the compute itself (its private state is not the proxy's).
      if (property !== 'describePoolInstances') return (value as () => unknown).bind(target);
      return async (...args: Parameters<ComputePort['describePoolInstances']>) => {
        asks += 1;
        if (hold(asks)) await released;
        return (value as ComputePort['describePoolInstances']).apply(target, args);
      };
    },
  });
  return { compute: held, asks: () => asks, release };
}
