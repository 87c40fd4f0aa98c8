// Follows one RTDB node until a predicate says it is final, calling back on every change.
import type { Database } from 'firebase-admin/database';

export type FollowOutcome<T> = { final: true; value: T } | { final: false; last: T | null };

export function follow<T>(
  db: Database,
  path: string,
  parse: (raw: unknown) => T | null,
  isFinal: (value: T) => boolean,
  onChange: (value: T) => void,
  timeoutMs: number,
): Promise<FollowOutcome<T>> {
  return new Promise((resolve, reject) => {
    const ref = db.ref(path);
    let last: T | null = null;
    let done = false;
    const finish = (outcome: FollowOutcome<T>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ref.off('value', listener);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ final: false, last }), timeoutMs);
    const listener = ref.on(
      'value',
      (snapshot) => {
        const value = parse(snapshot.val());
        if (value === null) return;
        last = value;
        onChange(value);
        if (isFinal(value)) finish({ final: true, value });
      },
      (error: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
