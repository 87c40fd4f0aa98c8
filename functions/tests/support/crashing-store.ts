import type { PoolStore } from '../../src/store/pool-store';

/** Thrown by a crashed store: the process is considered dead from that call on. */
export class SimulatedCrash extends Error {
  constructor(step: number) {
    super(`simulated crash at store call ${step}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * A PoolStore decorator that counts calls and, from call `crashAt` on, fails every call, as
 * if the function instance died there (nothing after it reaches the database).
 */
export function crashingStore(inner: PoolStore, crashAt: number | null) {
  let calls = 0;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'newId') return value;
      return (...args: unknown[]) => {
        calls += 1;
        if (crashAt !== null && calls >= crashAt) {
          return Promise.reject(new SimulatedCrash(calls));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls: () => calls };
}
