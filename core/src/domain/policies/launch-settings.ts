import type { PoolConfig } from '../../contract/pool-config';

/** The settings a launch cannot do without; all missing ones are named together. */
export function missingLaunchSettings(config: PoolConfig): string[] {
  const missing: string[] = [];
  if (config.amiId === '') missing.push('amiId');
  if (config.subnetId === '') missing.push('subnetId');
  if (config.securityGroupId === '') missing.push('securityGroupId');
  return missing;
}

/**
 * Whether the pool config lets a new VM be launched at all. The one predicate behind the
 * allocator (launch for an assign), the warm minimum (launch to keep it) and the launch itself.
 */
export function launchSettingsComplete(config: PoolConfig): boolean {
  return missingLaunchSettings(config).length === 0;
}
