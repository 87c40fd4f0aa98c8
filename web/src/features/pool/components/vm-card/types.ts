import type { RequestResult } from '@vmpool/core';

/** What a card's buttons ask for; the container turns each into a pool request. */
export type VmAction =
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'reboot' }
  | { kind: 'assign'; competitionId: string }
  | { kind: 'release' }
  | { kind: 'maintenance'; enabled: boolean }
  | { kind: 'terminate' }
  | { kind: 'recover' };

export interface PendingRequest {
  /** The button that started it; null for a request someone else made. */
  action: VmAction['kind'] | null;
  title: string;
  result: RequestResult | null;
  error: string | null;
}

export interface CompetitionOption {
  id: string;
  name: string;
}
