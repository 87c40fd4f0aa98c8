import type { Database } from 'firebase-admin/database';
import { DEFAULT_POOL_CONFIG, parsePoolConfig, paths, type PoolConfig } from '@vmpool/core';
import type { Clock } from '@vmpool/core/ports';
import { HttpError, type Caller } from './caller';

const SERVER_FIELDS = new Set(['updatedAt', 'updatedBy']);
const KNOWN_FIELDS = new Set(Object.keys(DEFAULT_POOL_CONFIG).filter((f) => !SERVER_FIELDS.has(f)));

/**
 * PUT /api/admin/vm-pool/config: the given fields replace the stored ones (a field left out
 * keeps its value; `tags` is replaced as a whole). The result is validated as a whole and every
 * problem is reported together, unknown fields included (a typo would otherwise be dropped).
 */
export async function updatePoolConfig(
  db: Database,
  clock: Clock,
  caller: Caller,
  body: unknown,
): Promise<PoolConfig> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'INVALID_CONFIG', 'Send the config fields as a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(fields)) {
    if (SERVER_FIELDS.has(name)) problems.push(`${name}: is set by the server`);
    else if (!KNOWN_FIELDS.has(name)) problems.push(`${name}: unknown field`);
  }
  const currentRaw: unknown = (await db.ref(paths.poolConfig()).get()).val();
  const current = typeof currentRaw === 'object' && currentRaw !== null ? currentRaw : {};
  const known = Object.fromEntries(
    Object.entries(fields).filter(([name]) => KNOWN_FIELDS.has(name)),
  );
  const parsed = parsePoolConfig({ ...current, ...known });
  if (!parsed.ok) problems.push(...parsed.errors);
  if (problems.length > 0 || !parsed.ok) {
    throw new HttpError(400, 'INVALID_CONFIG', 'The config was not saved', problems);
  }
  const saved: PoolConfig = { ...parsed.value, updatedAt: clock.now(), updatedBy: caller.uid };
  await db.ref(paths.poolConfig()).set(saved);
  return saved;
}
