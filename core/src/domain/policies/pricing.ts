import { priceKey, type PoolConfig } from '../../contract/pool-config';

/**
 * On-demand EC2 prices in USD per instance hour, as the PRD states them ("Key Design Decisions
 * (VM Pool)", Instance Type Selection: t3.large $0.08/hr for testing, g4dn.xlarge $0.53/hr for
 * production). The PRD also names c5.xlarge, without a price, so it is not listed here: an
 * admin sets it (or corrects these) in `vmPool/config/hourlyPrices`.
 */
export const INSTANCE_HOURLY_PRICES_USD: Readonly<Record<string, number>> = Object.freeze({
  't3.large': 0.08,
  'g4dn.xlarge': 0.53,
});

export const PRICE_TABLE_SOURCE =
  'PRD "Key Design Decisions (VM Pool)": t3.large $0.08/hr, g4dn.xlarge $0.53/hr';

/** The price of an instance hour: the pool config's override, else core's table, else null. */
export function hourlyPriceFor(
  instanceType: string,
  config: Pick<PoolConfig, 'hourlyPrices'> | null = null,
): number | null {
  let key: string | null = null;
  try {
    key = priceKey(instanceType);
  } catch {
    return null;
  }
  const override = config?.hourlyPrices[key];
  if (override !== undefined) return override;
  return INSTANCE_HOURLY_PRICES_USD[instanceType] ?? null;
}

/** A price lookup bound to one config, as the cost functions take it. */
export type PriceLookup = (instanceType: string) => number | null;

export function priceLookup(config: Pick<PoolConfig, 'hourlyPrices'> | null = null): PriceLookup {
  return (instanceType) => hourlyPriceFor(instanceType, config);
}
