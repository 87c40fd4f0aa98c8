import type { Database } from 'firebase-admin/database';
import { parsePoolConfig, paths } from '@vmpool/core';
import { parseIdentityBinding, type IdentityBinding } from './identity-binding';

/** What the token exchange reads and writes in RTDB. */
export interface IdentityStore {
  /** Applies `decide` to the instance's binding atomically and stores what it returns. */
  bind(
    instanceId: string,
    decide: (current: IdentityBinding | null) => IdentityBinding,
  ): Promise<IdentityBinding>;
  /** The vmId of the `vmPool/vms` record holding this instance, if any. */
  vmIdForInstance(instanceId: string): Promise<string | null>;
  /** The instanceId recorded in `vmPool/vms/{vmId}`, null without a record or an instance. */
  instanceIdOfVm(vmId: string): Promise<string | null>;
  /** The pool tags from `vmPool/config` (defaults when unset); throws on a broken config. */
  poolTags(): Promise<Record<string, string>>;
}

export function createRtdbIdentityStore(db: Database): IdentityStore {
  return {
    async bind(instanceId, decide) {
      let failure: unknown = null;
      let decided: IdentityBinding | null = null;
      const outcome = await db.ref(paths.identity(instanceId)).transaction((raw: unknown) => {
        // The first run may see a cached guess rather than the server's value; writing the value
        // back unchanged on a refusal lets the server retry us with the real one.
        failure = null;
        decided = null;
        try {
          decided = decide(parseIdentityBinding(raw));
          return decided;
        } catch (error) {
          failure = error;
          return raw ?? null;
        }
      });
      if (failure) throw failure;
      if (!outcome.committed || decided === null) {
        throw new Error(`The identity binding of ${instanceId} could not be written`);
      }
      return decided;
    },

    async vmIdForInstance(instanceId) {
      const snapshot = await db
        .ref(paths.vms())
        .orderByChild('instanceId')
        .equalTo(instanceId)
        .limitToFirst(2)
        .get();
      const keys = Object.keys((snapshot.val() as Record<string, unknown> | null) ?? {});
      return keys.length === 1 ? (keys[0] ?? null) : null;
    },

    async instanceIdOfVm(vmId) {
      const value: unknown = (await db.ref(paths.vm(vmId)).child('instanceId').get()).val();
      return typeof value === 'string' ? value : null;
    },

    async poolTags() {
      const raw: unknown = (await db.ref(paths.poolConfig()).get()).val();
      const parsed = parsePoolConfig(raw ?? {});
      // Never guess the pool's tags: a broken config would admit the wrong instances.
      if (!parsed.ok) throw new Error(`vmPool/config is invalid: ${parsed.errors.join('; ')}`);
      return parsed.value.tags;
    },
  };
}
