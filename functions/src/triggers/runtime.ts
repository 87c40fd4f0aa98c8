import type { UseCaseDeps } from '../usecases/deps';

type DepsFactory = () => UseCaseDeps;

let productionFactory: DepsFactory | null = null;
let production: UseCaseDeps | null = null;
let override: UseCaseDeps | null = null;

/** index.ts registers how production dependencies are built (once, on first use). */
export function registerProductionDeps(factory: DepsFactory): void {
  productionFactory = factory;
}

/**
 * The local functions host runs the same exported triggers against other dependencies (local
 * RTDB, a local or moto compute); null restores production.
 */
export function overrideDeps(deps: UseCaseDeps | null): void {
  override = deps;
}

/** The dependencies every trigger uses; built lazily so deploy-time analysis needs nothing. */
export function runtimeDeps(): UseCaseDeps {
  if (override !== null) return override;
  if (production === null) {
    if (productionFactory === null) throw new Error('vmpool: no runtime dependencies registered');
    production = productionFactory();
  }
  return production;
}
