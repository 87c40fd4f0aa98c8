/**
 * The competition's mid-show failover (issue 12), live: a failing VM and the countdown, the
 * "Switch to vm-00X" offer (`confirm` mode), the switch in progress, and where the show went.
 */
import type { FailoverRecord } from '@vmpool/core';
import { Spinner } from '../../../components/StateBox';
import { formatAgo } from '../../../lib/format';
import type { FailoverView } from '../hooks/useFailover';

function headline(record: FailoverRecord): string {
  switch (record.state) {
    case 'watching':
      return `${record.failedVmId} is failing`;
    case 'offered':
      return `${record.failedVmId} failed: switch the show?`;
    case 'alerted':
      return `${record.failedVmId} failed (failover is off)`;
    case 'switching':
      return `Moving the show off ${record.failedVmId}`;
    case 'switched':
      return `Show moved from ${record.failedVmId} to ${record.spareVmId ?? '?'}`;
    case 'abandoned':
      return `${record.failedVmId} failed: the show could not be moved`;
  }
}

export function FailoverPanel({ failover, now }: { failover: FailoverView; now: number }) {
  const record = failover.record;
  if (record === null && failover.error === null) return null;
  return (
    <section className="panel" aria-label="Failover">
      <div className="panel-head">
        <h2>Failover</h2>
      </div>
      <div className="panel-body" aria-live="polite">
        {failover.error !== null && (
          <p className="field-error" role="alert">
            {failover.error}
          </p>
        )}
        {record !== null && (
          <div
            className={`callout ${record.state === 'switched' ? 'callout-success' : 'callout-warning'}`}
            data-state={record.state}
          >
            <span>
              <strong>{headline(record)}</strong> · {record.reason} · since{' '}
              {formatAgo(record.since, now)}
              {record.state === 'switched' && record.spareAddress !== null && (
                <>
                  {' '}
                  · now at <span className="mono">{record.spareAddress}</span>
                </>
              )}
              {record.state === 'switching' && record.spareVmId !== null && (
                <> · {record.spareVmId} is starting; manual intervention may be needed</>
              )}
              {record.restored !== null && <> · {record.restored}</>}
              {record.detail !== null && <> · {record.detail}</>}
            </span>
          </div>
        )}
        {record?.state === 'offered' && (
          <button
            type="button"
            className="btn"
            onClick={failover.confirmSwitch}
            disabled={failover.switching}
            aria-busy={failover.switching}
            style={{ marginTop: 10 }}
          >
            {failover.switching && <Spinner />}
            Switch to {record.offeredVmId ?? 'a spare VM'}
          </button>
        )}
        {failover.submitError !== null && (
          <p className="field-error" role="alert">
            {failover.submitError}
          </p>
        )}
        {failover.switchRequest.result?.state === 'failed' && (
          <p className="field-error" role="alert">
            {failover.switchRequest.result.error?.message ?? failover.switchRequest.result.message}
          </p>
        )}
      </div>
    </section>
  );
}
