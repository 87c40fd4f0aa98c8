/**
 * The admin's pool configuration form: every `vmPool/config` field, validated with core's
 * parser on each change, errors shown beside their fields, nothing written while any remain.
 */
import {
  DEFAULT_POOL_CONFIG,
  FAILED_VM_ACTIONS,
  FAILOVER_MODES,
  INSTANCE_HOURLY_PRICES_USD,
  POOL_CONFIG_LIMITS,
  instanceTypeOfPriceKey,
  parsePoolConfig,
  priceKey,
  type PoolConfig,
} from '@vmpool/core';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { formatAgo } from '../../../lib/format';

type NumberField =
  | 'minWarmVMs'
  | 'maxTotalVMs'
  | 'maxConcurrent'
  | 'autoStopAfterHours'
  | 'warmupTimeSeconds'
  | 'agentStaleSeconds'
  | 'preWarmMinutes'
  | 'autoReleaseAfterMinutes'
  | 'recoveryMaxAttempts'
  | 'recoveryWindowMinutes'
  | 'failoverAfterSeconds'
  // Stream health alerts (issue 15)
  | 'streamDroppedFramesPercentMax'
  | 'streamMinBitrateKbps'
  // Status history retention (issue 13)
  | 'statusHistoryRetentionDays';
type TextField =
  | 'awsRegion'
  | 'amiId'
  | 'instanceType'
  | 'securityGroupId'
  | 'subnetId'
  | 'keyPairName'
  | 'instanceProfile';
/** Blank means "not set" (null). */
type OptionalNumberField = 'minWarmVMsOffSchedule';
type EditableField =
  | NumberField
  | OptionalNumberField
  | TextField
  | 'tags'
  | 'hourlyPrices'
  | 'failoverMode'
  | 'failedVmAction';

type Draft = Record<EditableField, string>;

interface FieldSpec {
  field: EditableField;
  label: string;
  hint: string;
}

const L = POOL_CONFIG_LIMITS;

const SIZING: FieldSpec[] = [
  {
    field: 'minWarmVMs',
    label: 'Warm VMs (minimum)',
    hint: `${L.minWarmVMs.min}–${L.minWarmVMs.max}; kept running, ready to assign`,
  },
  {
    field: 'maxTotalVMs',
    label: 'Total VMs (maximum)',
    hint: `${L.maxTotalVMs.min}–${L.maxTotalVMs.max}`,
  },
  {
    field: 'maxConcurrent',
    label: 'Concurrent shows (maximum)',
    hint: `${L.maxConcurrent.min}–${L.maxConcurrent.max}; at most the total`,
  },
];

const TIMING: FieldSpec[] = [
  {
    field: 'autoStopAfterHours',
    label: 'Idle auto-stop (hours)',
    hint: `0 = never, or ${L.autoStopAfterHours.min}–${L.autoStopAfterHours.max}`,
  },
  {
    field: 'warmupTimeSeconds',
    label: 'Warm-up time (s)',
    hint: `${L.warmupTimeSeconds.min}–${L.warmupTimeSeconds.max}`,
  },
  {
    field: 'agentStaleSeconds',
    label: 'Agent stale after (s)',
    hint: `${L.agentStaleSeconds.min}–${L.agentStaleSeconds.max}`,
  },
];

const SELF_HEALING: FieldSpec[] = [
  {
    field: 'recoveryMaxAttempts',
    label: 'Automatic recoveries per VM',
    hint: `0 = off, up to ${L.recoveryMaxAttempts.max}; then the VM waits for an admin`,
  },
  {
    field: 'recoveryWindowMinutes',
    label: 'Counted within (min)',
    hint: `${L.recoveryWindowMinutes.min}–${L.recoveryWindowMinutes.max}`,
  },
];

const SCHEDULE: FieldSpec[] = [
  {
    field: 'preWarmMinutes',
    label: 'Pre-warm before a scheduled show (min)',
    hint: `${L.preWarmMinutes.min}–${L.preWarmMinutes.max}; its VM is ready this long before the start`,
  },
  {
    field: 'autoReleaseAfterMinutes',
    label: 'Auto-release after a scheduled show (min)',
    hint: `0 = never, up to ${L.autoReleaseAfterMinutes.max}; not while streaming or recording`,
  },
  {
    field: 'minWarmVMsOffSchedule',
    label: 'Warm VMs between scheduled shows',
    hint: `${L.minWarmVMsOffSchedule.min}–${L.minWarmVMsOffSchedule.max}; blank = the warm minimum`,
  },
];

// --- failover (issue 12) ---
const FAILOVER: FieldSpec[] = [
  {
    field: 'failoverAfterSeconds',
    label: 'Failover after (s)',
    hint: `${L.failoverAfterSeconds.min}–${L.failoverAfterSeconds.max}; how long a show's VM must be failed`,
  },
];
const FAILOVER_MODE_LABELS: Record<(typeof FAILOVER_MODES)[number], string> = {
  auto: 'auto: switch the show to a spare',
  confirm: 'confirm: offer the switch in the alert',
  off: 'off: alert only',
};
const FAILED_VM_ACTION_LABELS: Record<(typeof FAILED_VM_ACTIONS)[number], string> = {
  reboot: 'reboot it (back in the pool once healthy)',
  stop: 'stop it (back in the pool stopped)',
};
// --- end failover ---
// --- Stream health alerts (issue 15)
const STREAM_ALERTS: FieldSpec[] = [
  {
    field: 'streamDroppedFramesPercentMax',
    label: 'Dropped frames warning above (%)',
    hint: `${L.streamDroppedFramesPercentMax.min}–${L.streamDroppedFramesPercentMax.max}; over the last minute of a live stream`,
  },
  {
    field: 'streamMinBitrateKbps',
    label: 'Low bitrate warning below (kbit/s)',
    hint: `0 = off, up to ${L.streamMinBitrateKbps.max}; while the stream is live`,
  },
];
// ---
// --- Status history retention (issue 13)
const HISTORY: FieldSpec[] = [
  {
    field: 'statusHistoryRetentionDays',
    label: 'Keep VM status history (days)',
    hint: `${L.statusHistoryRetentionDays.min}–${L.statusHistoryRetentionDays.max}; older entries are pruned once the month's cost is final`,
  },
];
// ---

const AWS: FieldSpec[] = [
  { field: 'awsRegion', label: 'AWS region', hint: 'e.g. us-east-1' },
  { field: 'amiId', label: 'AMI id', hint: 'ami-…; launches are refused while empty' },
  { field: 'instanceType', label: 'Instance type', hint: 'e.g. t3.large, g4dn.xlarge' },
  { field: 'securityGroupId', label: 'Security group', hint: 'sg-…' },
  { field: 'subnetId', label: 'Subnet', hint: 'subnet-…' },
  { field: 'keyPairName', label: 'Key pair name', hint: 'optional' },
  { field: 'instanceProfile', label: 'Instance profile', hint: 'IAM instance profile name' },
];

const NUMBER_FIELDS: readonly NumberField[] = [
  'minWarmVMs',
  'maxTotalVMs',
  'maxConcurrent',
  'autoStopAfterHours',
  'warmupTimeSeconds',
  'agentStaleSeconds',
  'preWarmMinutes',
  'autoReleaseAfterMinutes',
  'recoveryMaxAttempts',
  'recoveryWindowMinutes',
  'failoverAfterSeconds',
  'streamDroppedFramesPercentMax',
  'streamMinBitrateKbps',
  'statusHistoryRetentionDays',
];
const OPTIONAL_NUMBER_FIELDS: readonly OptionalNumberField[] = ['minWarmVMsOffSchedule'];
const TEXT_FIELDS: readonly TextField[] = [
  'awsRegion',
  'amiId',
  'instanceType',
  'securityGroupId',
  'subnetId',
  'keyPairName',
  'instanceProfile',
];

export function draftFromConfig(config: PoolConfig): Draft {
  const draft = {} as Draft;
  for (const field of NUMBER_FIELDS) draft[field] = String(config[field]);
  for (const field of OPTIONAL_NUMBER_FIELDS) {
    const value = config[field];
    draft[field] = value === null ? '' : String(value);
  }
  for (const field of TEXT_FIELDS) draft[field] = config[field];
  draft.failoverMode = config.failoverMode;
  draft.failedVmAction = config.failedVmAction;
  draft.tags = Object.entries(config.tags)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  draft.hourlyPrices = Object.entries(config.hourlyPrices)
    .map(([key, value]) => `${instanceTypeOfPriceKey(key)}=${value}`)
    .join('\n');
  return draft;
}

type DraftResult =
  | { ok: true; config: PoolConfig }
  | { ok: false; fieldErrors: Partial<Record<EditableField, string[]>>; otherErrors: string[] };

/** Turns the form's strings into a candidate config and runs core's validator over it. */
export function validateDraft(draft: Draft): DraftResult {
  const fieldErrors: Partial<Record<EditableField, string[]>> = {};
  const otherErrors: string[] = [];
  const addError = (field: EditableField, message: string) => {
    (fieldErrors[field] ??= []).push(message);
  };

  const candidate: Record<string, unknown> = {};
  for (const field of NUMBER_FIELDS) {
    const text = draft[field].trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) addError(field, 'must be a number');
    else candidate[field] = value;
  }
  for (const field of OPTIONAL_NUMBER_FIELDS) {
    const text = draft[field].trim();
    const value = Number(text);
    if (text === '') candidate[field] = null;
    else if (!Number.isFinite(value)) addError(field, 'must be a number or blank');
    else candidate[field] = value;
  }
  for (const field of TEXT_FIELDS) candidate[field] = draft[field].trim();
  candidate.failoverMode = draft.failoverMode;
  candidate.failedVmAction = draft.failedVmAction;

  const tags: Record<string, string> = {};
  draft.tags.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) {
      addError('tags', `line ${index + 1}: write Key=Value`);
      return;
    }
    tags[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  });
  candidate.tags = tags;

  const prices: Record<string, number> = {};
  draft.hourlyPrices.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const equals = trimmed.indexOf('=');
    const type = trimmed.slice(0, Math.max(equals, 0)).trim();
    const price = Number(trimmed.slice(equals + 1).trim());
    if (equals <= 0 || trimmed.slice(equals + 1).trim() === '' || !Number.isFinite(price)) {
      addError('hourlyPrices', `line ${index + 1}: write instanceType=USD per hour`);
      return;
    }
    try {
      prices[priceKey(type)] = price;
    } catch {
      addError(
        'hourlyPrices',
        `line ${index + 1}: "${type}" is not an instance type such as t3.large`,
      );
    }
  });
  candidate.hourlyPrices = prices;

  const parsed = parsePoolConfig(candidate);
  if (!parsed.ok) {
    for (const error of parsed.errors) {
      const colon = error.indexOf(':');
      const field = (colon > 0 ? error.slice(0, colon).split('.')[0] : '') as EditableField;
      const message = colon > 0 ? error.slice(colon + 1).trim() : error;
      if (field in draft) {
        // A field with no number at all already says so; core's "is required" adds nothing.
        if (fieldErrors[field] === undefined) addError(field, message);
      } else {
        otherErrors.push(error);
      }
    }
  }
  if (Object.keys(fieldErrors).length > 0 || otherErrors.length > 0 || !parsed.ok) {
    return { ok: false, fieldErrors, otherErrors };
  }
  return { ok: true, config: parsed.value };
}

export interface PoolConfigPanelProps {
  config: PoolConfig;
  now: number;
  /** Writes the whole config; rejects with a readable error. */
  onSave(config: PoolConfig): Promise<void>;
  defaultOpen?: boolean;
}

export function PoolConfigPanel({
  config,
  now,
  onSave,
  defaultOpen = false,
}: PoolConfigPanelProps) {
  const [open, setOpen] = useState(defaultOpen);
  const bodyId = useId();

  return (
    <section className="panel" aria-label="Pool configuration">
      <div className="panel-head">
        <button
          type="button"
          className="panel-toggle"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen((value) => !value)}
        >
          <span className="chevron" data-open={open} aria-hidden="true">
            ▸
          </span>
          Pool configuration
        </button>
        <span className="faint" style={{ fontSize: 12.5 }}>
          {config.updatedAt === null
            ? 'defaults (never saved)'
            : `saved ${formatAgo(config.updatedAt, now)}${config.updatedBy === null ? '' : ` by ${config.updatedBy}`}`}
        </span>
      </div>
      {open && (
        <div className="panel-body" id={bodyId}>
          {/* Keyed by the stored config so a change made elsewhere resets the form. */}
          <PoolConfigForm key={JSON.stringify(config)} config={config} onSave={onSave} />
        </div>
      )}
    </section>
  );
}

function PoolConfigForm({ config, onSave }: Pick<PoolConfigPanelProps, 'config' | 'onSave'>) {
  const [draft, setDraft] = useState<Draft>(() => draftFromConfig(config));
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  const validation = useMemo(() => validateDraft(draft), [draft]);
  const idPrefix = useId();

  const change = (field: EditableField, value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setTouched(true);
    setOutcome(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!validation.ok) return;
    setSaving(true);
    setOutcome(null);
    try {
      await onSave(validation.config);
      setOutcome({ ok: true, message: 'Configuration saved.' });
    } catch (error) {
      setOutcome({ ok: false, message: error instanceof Error ? error.message : String(error) });
    } finally {
      setSaving(false);
    }
  };

  const errorsFor = (field: EditableField) =>
    touched && !validation.ok ? (validation.fieldErrors[field] ?? []) : [];

  const renderField = ({ field, label, hint }: FieldSpec) => {
    const id = `${idPrefix}-${field}`;
    const errors = errorsFor(field);
    const isNumber = ([...NUMBER_FIELDS, ...OPTIONAL_NUMBER_FIELDS] as readonly string[]).includes(
      field,
    );
    return (
      <div className="field" key={field}>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name={field}
          inputMode={isNumber ? 'decimal' : 'text'}
          value={draft[field]}
          aria-invalid={errors.length > 0}
          aria-describedby={`${id}-hint${errors.length > 0 ? ` ${id}-error` : ''}`}
          onChange={(event) => change(field, event.target.value)}
        />
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
        {errors.length > 0 && (
          <span className="field-error" id={`${id}-error`} role="alert">
            {errors.join('; ')}
          </span>
        )}
      </div>
    );
  };

  const tagsId = `${idPrefix}-tags`;
  const tagErrors = errorsFor('tags');
  const pricesId = `${idPrefix}-hourlyPrices`;
  const priceErrors = errorsFor('hourlyPrices');
  const tablePrices = Object.entries(INSTANCE_HOURLY_PRICES_USD)
    .map(([type, price]) => `${type} $${price}`)
    .join(', ');
  const errorCount = validation.ok
    ? 0
    : Object.values(validation.fieldErrors).reduce((sum, list) => sum + (list?.length ?? 0), 0) +
      validation.otherErrors.length;

  return (
    <form className="config-form" onSubmit={(event) => void submit(event)} noValidate>
      <fieldset>
        <legend>Pool sizing</legend>
        <div className="config-grid">{SIZING.map(renderField)}</div>
      </fieldset>
      <fieldset>
        <legend>Timing</legend>
        <div className="config-grid">{TIMING.map(renderField)}</div>
      </fieldset>
      <fieldset>
        <legend>Show schedule</legend>
        <div className="config-grid">{SCHEDULE.map(renderField)}</div>
      </fieldset>
      <fieldset>
        <legend>Self-healing</legend>
        <div className="config-grid">{SELF_HEALING.map(renderField)}</div>
      </fieldset>
      <fieldset>
        <legend>Mid-show failover</legend>
        <div className="config-grid">
          <div className="field">
            <label htmlFor={`${idPrefix}-failoverMode`}>Failover mode</label>
            <select
              id={`${idPrefix}-failoverMode`}
              name="failoverMode"
              value={draft.failoverMode}
              aria-invalid={errorsFor('failoverMode').length > 0}
              onChange={(event) => change('failoverMode', event.target.value)}
            >
              {FAILOVER_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {FAILOVER_MODE_LABELS[mode]}
                </option>
              ))}
            </select>
            {errorsFor('failoverMode').length > 0 && (
              <span className="field-error" role="alert">
                {errorsFor('failoverMode').join('; ')}
              </span>
            )}
          </div>
          {FAILOVER.map(renderField)}
          <div className="field">
            <label htmlFor={`${idPrefix}-failedVmAction`}>Failed VM</label>
            <select
              id={`${idPrefix}-failedVmAction`}
              name="failedVmAction"
              value={draft.failedVmAction}
              aria-invalid={errorsFor('failedVmAction').length > 0}
              onChange={(event) => change('failedVmAction', event.target.value)}
            >
              {FAILED_VM_ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {FAILED_VM_ACTION_LABELS[action]}
                </option>
              ))}
            </select>
            <span className="field-hint">what happens to the VM a failover took the show from</span>
            {errorsFor('failedVmAction').length > 0 && (
              <span className="field-error" role="alert">
                {errorsFor('failedVmAction').join('; ')}
              </span>
            )}
          </div>
        </div>
      </fieldset>
      <fieldset>
        <legend>Stream alerts</legend>
        <div className="config-grid">{STREAM_ALERTS.map(renderField)}</div>
      </fieldset>
      <fieldset>
        <legend>Cost data</legend>
        <div className="config-grid">{HISTORY.map(renderField)}</div>
      </fieldset>
      <fieldset>
        <legend>AWS launch settings</legend>
        <div className="config-grid">{AWS.map(renderField)}</div>
        <div className="field" style={{ marginTop: 12 }}>
          <label htmlFor={tagsId}>Instance tags (one Key=Value per line)</label>
          <textarea
            id={tagsId}
            name="tags"
            rows={3}
            value={draft.tags}
            aria-invalid={tagErrors.length > 0}
            onChange={(event) => change('tags', event.target.value)}
          />
          {tagErrors.length > 0 && (
            <span className="field-error" role="alert">
              {tagErrors.join('; ')}
            </span>
          )}
        </div>
        <div className="field" style={{ marginTop: 12 }}>
          <label htmlFor={pricesId}>Hourly prices in USD (one instanceType=price per line)</label>
          <textarea
            id={pricesId}
            name="hourlyPrices"
            rows={2}
            value={draft.hourlyPrices}
            aria-invalid={priceErrors.length > 0}
            aria-describedby={`${pricesId}-hint${priceErrors.length > 0 ? ` ${pricesId}-error` : ''}`}
            onChange={(event) => change('hourlyPrices', event.target.value)}
          />
          <span className="field-hint" id={`${pricesId}-hint`}>
            Overrides the built-in prices ({tablePrices}) for the cost figures
          </span>
          {priceErrors.length > 0 && (
            <span className="field-error" id={`${pricesId}-error`} role="alert">
              {priceErrors.join('; ')}
            </span>
          )}
        </div>
      </fieldset>
      {touched && !validation.ok && validation.otherErrors.length > 0 && (
        <ul className="error-list" role="alert">
          {validation.otherErrors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save configuration'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={saving}
          onClick={() => {
            setDraft(
              draftFromConfig({ ...DEFAULT_POOL_CONFIG, tags: { ...DEFAULT_POOL_CONFIG.tags } }),
            );
            setTouched(true);
            setOutcome(null);
          }}
        >
          Reset to defaults
        </button>
        {touched && errorCount > 0 && (
          <span className="field-error">
            {errorCount} {errorCount === 1 ? 'problem' : 'problems'} to fix before saving
          </span>
        )}
        {outcome !== null && (
          <span
            className={outcome.ok ? 'callout callout-success' : 'callout callout-error'}
            role={outcome.ok ? 'status' : 'alert'}
          >
            {outcome.message}
          </span>
        )}
      </div>
    </form>
  );
}
