import { randomUUID } from 'node:crypto';

/** What the host needs to build events the way Eventarc delivers them for RTDB. */
export interface EventTarget {
  /** The namespace, e.g. `demo-vmpool` (Eventarc's `instance`). */
  instance: string;
  /** e.g. `127.0.0.1:9000` */
  host: string;
}

export const RTDB_EVENT_TYPES = {
  created: 'google.firebase.database.ref.v1.created',
  written: 'google.firebase.database.ref.v1.written',
} as const;

/**
 * A raw RTDB CloudEvent as firebase-functions v2 parses it (BRIEF §5): `data.data` is the
 * value before, `data.delta` the new value. Every event gets a fresh id.
 */
export function rtdbCloudEvent(
  target: EventTarget,
  type: (typeof RTDB_EVENT_TYPES)[keyof typeof RTDB_EVENT_TYPES],
  ref: string,
  before: unknown,
  after: unknown,
) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `//firebasedatabase.googleapis.com/projects/_/locations/local/instances/${target.instance}`,
    type,
    time: new Date().toISOString(),
    location: 'local',
    firebasedatabasehost: target.host,
    instance: target.instance,
    ref,
    authtype: 'admin',
    data: { data: before ?? null, delta: after ?? null },
  };
}
