// The database's idea of now: local time plus the offset the SDK measured at connect. Every
// timestamp the agent writes goes through it, so that a VM with a skewed clock never writes
// times the rules reject (they allow at most a minute into the future).
import { onValue, ref, type Database } from 'firebase/database';
import type { Clock } from '@vmpool/core/ports';

export class ServerClock implements Clock {
  private offsetMs = 0;
  private readonly unsubscribe: () => void;

  constructor(db: Database) {
    this.unsubscribe = onValue(ref(db, '.info/serverTimeOffset'), (snapshot) => {
      const value: unknown = snapshot.val();
      this.offsetMs = typeof value === 'number' && Number.isFinite(value) ? value : 0;
    });
  }

  get offset(): number {
    return this.offsetMs;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  close(): void {
    this.unsubscribe();
  }
}
