// Exports the VM's show state while it is `in_use` (issue 12, PRD §10.1): OBS's current scene
// collection and profile (the files OBS saves, found by the names obs-websocket reports) go to
// the recordings archive as one content-addressed bundle, every interval and soon after OBS
// announces a change; the latest export of the competition is recorded at
// vmPool/stateExports/{compId} for the control plane. An unchanged bundle is not uploaded again.
// The show server persists nothing of its own (core/src/contract/state-export.ts), so only OBS
// is exported.
import { createHash } from 'node:crypto';
import { get, onValue, ref, serverTimestamp, set, type Database } from 'firebase/database';
import {
  parseStateExport,
  paths,
  STATE_EXPORT_MAX_BYTES,
  stateExportChanged,
  stateExportDue,
  stateExportKey,
  type StateExportRecord,
  type StateExportTrigger,
} from '@vmpool/core';
import type { Clock, Logger } from '@vmpool/core/ports';
import type { ObsLink } from '../obs/obs-link';
import type { StateArchive } from './archive';
import { readObsState, scenesMissingFromCollection, withEmptyScenes } from './obs-config-files';

/** obs-websocket 5 events after which OBS's saved collection or profile may differ. */
export const STATE_CHANGE_EVENTS = new Set([
  'CurrentSceneCollectionChanged',
  'SceneCollectionListChanged',
  'CurrentProfileChanged',
  'SceneCreated',
  'SceneRemoved',
  'SceneNameChanged',
  'InputCreated',
  'InputRemoved',
  'InputNameChanged',
  'SceneItemCreated',
  'SceneItemRemoved',
]);

export interface StateExportOptions {
  intervalMs: number;
  /** After a change event, wait this long (OBS saves its collection file shortly after). */
  settleMs: number;
  obsConfigDir: string;
}

export type ExportOutcome =
  | { kind: 'uploaded'; record: StateExportRecord }
  | { kind: 'unchanged'; digest: string }
  | { kind: 'skipped'; reason: string };

export class StateExportLoop {
  private status: string | null = null;
  private competitionId: string | null = null;
  private lastAttemptAt: number | null = null;
  private changePending = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = true;
  private unsubscribe: (() => void)[] = [];
  /** The scenes OBS's file lacked at the last warning (warned once per set). */
  private reportedMissing = '';
  /** The last record this agent wrote, so an unchanged bundle needs no read. */
  private latest: StateExportRecord | null = null;
  private readonly listeners = new Set<(outcome: ExportOutcome) => void>();

  constructor(
    private readonly db: Database,
    private readonly vmId: string,
    private readonly link: ObsLink,
    private readonly archive: StateArchive,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: StateExportOptions,
  ) {}

  /** Tests: every attempt's outcome. */
  onOutcome(listener: (outcome: ExportOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const vm = paths.vm(this.vmId);
    const watch = (child: string, apply: (value: unknown) => void) =>
      onValue(
        ref(this.db, `${vm}/${child}`),
        (snapshot) => {
          apply(snapshot.val());
          this.schedule(0);
        },
        (error) => this.log.warn(`cannot watch the VM's ${child}`, { error }),
      );
    this.unsubscribe = [
      watch('status', (value) => (this.status = typeof value === 'string' ? value : null)),
      watch('assignedTo', (value) => {
        const next = typeof value === 'string' ? value : null;
        if (next !== this.competitionId) {
          this.lastAttemptAt = null;
          this.latest = null;
        }
        this.competitionId = next;
      }),
      this.link.onEvent((type) => {
        if (!STATE_CHANGE_EVENTS.has(type)) return;
        this.changePending = true;
        this.schedule(this.options.settleMs);
      }),
      this.link.onChange((state) => {
        if (state.connected) this.schedule(this.options.settleMs);
      }),
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.schedule(this.options.settleMs);
      return;
    }
    const now = this.clock.now();
    const trigger = stateExportDue({
      now,
      inUse: this.status === 'in_use' && this.competitionId !== null,
      lastAttemptAt: this.lastAttemptAt,
      intervalMs: this.options.intervalMs,
      changePending: this.changePending,
    });
    if (trigger === null) {
      if (this.status === 'in_use' && this.lastAttemptAt !== null) {
        this.schedule(Math.max(0, this.lastAttemptAt + this.options.intervalMs - now));
      }
      return;
    }
    this.running = this.attempt(trigger).finally(() => {
      this.running = null;
      this.schedule(this.changePending ? this.options.settleMs : this.options.intervalMs);
    });
  }

  private async attempt(trigger: StateExportTrigger): Promise<void> {
    const competitionId = this.competitionId;
    if (competitionId === null) return;
    this.changePending = false;
    this.lastAttemptAt = this.clock.now();
    let outcome: ExportOutcome;
    try {
      outcome = await this.exportOnce(competitionId, trigger);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      outcome = { kind: 'skipped', reason };
    }
    // OBS saves a change more than once (its first save can be partial): after a change that
    // uploaded, look again after the settle time until OBS's files stop changing.
    if (outcome.kind === 'uploaded' && trigger === 'change') this.changePending = true;
    if (outcome.kind === 'uploaded') {
      this.log.info('show state exported', {
        competitionId,
        key: outcome.record.key,
        bytes: outcome.record.bytes,
        trigger,
      });
    } else if (outcome.kind === 'unchanged') {
      this.log.debug('show state unchanged; not uploaded', { competitionId, trigger });
    } else {
      this.log.warn(`show state not exported: ${outcome.reason}`, { competitionId });
    }
    for (const listener of this.listeners) listener(outcome);
  }

  /** One export: read OBS's current state, upload it unless unchanged, record it. */
  async exportOnce(competitionId: string, trigger: StateExportTrigger): Promise<ExportOutcome> {
    const obs = this.link.client;
    if (obs === null) return { kind: 'skipped', reason: 'OBS is not connected' };
    const [collections, profiles, sceneList] = await obs.batch([
      { requestType: 'GetSceneCollectionList' },
      { requestType: 'GetProfileList' },
      { requestType: 'GetSceneList' },
    ]);
    const sceneCollection = collections?.requestStatus.result
      ? (collections.responseData as { currentSceneCollectionName?: string })
          .currentSceneCollectionName
      : undefined;
    if (typeof sceneCollection !== 'string' || sceneCollection === '') {
      return { kind: 'skipped', reason: 'OBS did not name its current scene collection' };
    }
    const profile = profiles?.requestStatus.result
      ? ((profiles.responseData as { currentProfileName?: string }).currentProfileName ?? null)
      : null;
    const bundle = await readObsState(this.options.obsConfigDir, { sceneCollection, profile });
    const live = sceneList?.requestStatus.result
      ? ((sceneList.responseData as { scenes?: { sceneName?: unknown }[] }).scenes ?? [])
          .map((scene) => scene.sceneName)
          .filter((name): name is string => typeof name === 'string')
      : [];
    const missing = scenesMissingFromCollection(bundle.obs.sceneCollection.content, live);
    if (missing.length > 0) {
      bundle.obs.sceneCollection.content = await this.completeCollection(
        obs,
        bundle.obs.sceneCollection.content,
        missing,
      );
    }
    const body = Buffer.from(JSON.stringify(bundle));
    if (body.length > STATE_EXPORT_MAX_BYTES) {
      return { kind: 'skipped', reason: `the export is ${body.length} bytes, over the limit` };
    }
    const digest = createHash('sha256').update(body).digest('hex');
    const latest = this.latest ?? (await this.readLatest(competitionId));
    if (!stateExportChanged(digest, latest, competitionId)) return { kind: 'unchanged', digest };
    const key = stateExportKey(competitionId, digest);
    await this.archive.put(key, body);
    const record: StateExportRecord = {
      competitionId,
      vmId: this.vmId,
      at: this.clock.now(),
      bucket: this.archive.bucket,
      key,
      digest,
      bytes: body.length,
      obs: { sceneCollection, profile: bundle.obs.profile === null ? null : profile },
      showServer: false,
      trigger,
    };
    await set(ref(this.db, paths.stateExport(competitionId)), {
      ...record,
      at: serverTimestamp(),
    });
    this.latest = record;
    return { kind: 'uploaded', record };
  }

  /**
   * OBS's saved collection lacks live scenes (OBS 29's racing save, obs-config-files.ts): the
   * empty ones are completed here; one with items OBS will save with its next change, so the
   * loop looks again after the settle time.
   */
  private async completeCollection(
    obs: NonNullable<ObsLink['client']>,
    content: string,
    missing: readonly string[],
  ): Promise<string> {
    const items = await obs.batch(
      missing.map((sceneName) => ({ requestType: 'GetSceneItemList', requestData: { sceneName } })),
    );
    const empty = missing.filter((_, index) => {
      const answer = items[index];
      const list = (answer?.responseData as { sceneItems?: unknown[] } | undefined)?.sceneItems;
      return answer?.requestStatus.result === true && Array.isArray(list) && list.length === 0;
    });
    const pending = missing.filter((name) => !empty.includes(name));
    // One pending scene makes the loop look again after the settle time: OBS saves it with the
    // change that added its items.
    if (pending.length > 0) this.changePending = true;
    const seen = `${empty.join('\n')}|${pending.join('\n')}`;
    if (seen !== this.reportedMissing) {
      this.reportedMissing = seen;
      this.log.warn("OBS's saved scene collection lacks scenes OBS runs", {
        completedAsEmpty: empty,
        waitingForOBSToSave: pending,
      });
    }
    return withEmptyScenes(content, empty);
  }

  private async readLatest(competitionId: string): Promise<StateExportRecord | null> {
    const snapshot = await get(ref(this.db, paths.stateExport(competitionId)));
    if (!snapshot.exists()) return null;
    const parsed = parseStateExport(snapshot.val());
    return parsed.ok ? parsed.value : null;
  }
}
