// Races staged at one store call: a run held up at a step, or something landing just before it.
import type { PoolStore } from '../../src/store/pool-store';
import type { UseCaseDeps } from '../../src/usecases/deps';

type Method<K extends keyof PoolStore> = PoolStore[K] extends (...args: infer A) => infer R
  ? (...args: A) => R
  : never;
/** The store's methods (every key of the store that is a function). */
export type StoreMethod = {
  [K in keyof PoolStore]: PoolStore[K] extends (...args: never[]) => unknown ? K : never;
}[keyof PoolStore];

/** The store with every call of `method` passed through `wrap` (which calls `call` or not). */
export function wrapStoreCall<K extends StoreMethod>(
  store: PoolStore,
  method: K,
  wrap: (call: Method<K>, ...args: Parameters<Method<K>>) => ReturnType<Method<K>>,
): PoolStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== method || typeof value !== 'function') return value;
      const call = ((...args: unknown[]) =>
        (value as (...a: unknown[]) => unknown).apply(target, args)) as Method<K>;
      return (...args: Parameters<Method<K>>) => wrap(call, ...args);
    },
  });
}

/** The store with `before(...args)` awaited ahead of every call of `method`. */
export function beforeStoreCall<K extends StoreMethod>(
  store: PoolStore,
  method: K,
  before: (...args: Parameters<Method<K>>) => Promise<void>,
): PoolStore {
  return wrapStoreCall(store, method, (async (call: Method<K>, ...args: Parameters<Method<K>>) => {
    await before(...args);
    return (call as (...a: unknown[]) => unknown)(...args);
  }) as unknown as (call: Method<K>, ...args: Parameters<Method<K>>) => ReturnType<Method<K>>);
}

/**
 * The deps with a store whose first call of `method` waits until `open()`: a run of a use case
 * that is late at that step (a slow instance, a repeated trigger delivery). `reached` resolves
 * once the run got there.
 */
export function lateAt(deps: UseCaseDeps, method: StoreMethod) {
  let arrive!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let held = false;
  const store = beforeStoreCall(deps.store, method, async () => {
    if (held) return;
    held = true;
    arrive();
    await opened;
  });
  return { deps: { ...deps, store }, reached, open };
}
