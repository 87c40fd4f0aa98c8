import { DEFAULT_POOL_CONFIG, type PoolConfig } from '@vmpool/core';
import type { UseCaseDeps } from '../deps';

/**
 * The pool config for event handlers that must go on when it is broken (an agent report, a
 * finishing release): the defaults stand in, and the problem is logged. Requests and
 * reconcile refuse to run on a broken config instead.
 */
export async function readConfigOrDefaults(
  deps: Pick<UseCaseDeps, 'store' | 'logger'>,
): Promise<PoolConfig> {
  const parsed = await deps.store.readConfig();
  if (parsed.ok) return parsed.value;
  deps.logger.warn('vmPool/config is invalid; the defaults apply here', { errors: parsed.errors });
  return { ...DEFAULT_POOL_CONFIG };
}
