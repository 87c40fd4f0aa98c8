/**
 * The stream of one VM on its card and its VM setup page: while shown, this user watches the
 * VM (so its agent publishes previews), and it shows the preview with its age, the stream
 * health line and a chart of the last minutes.
 */
import type { VmRecord } from '@vmpool/core';
import { usePreview, useStreamSamples, useWatcher } from '../hooks/useStreamView';
import { StreamChart, StreamHealthLine } from './StreamHealth';
import { StreamPreview } from './StreamPreview';

export function VmStreamPanel({ vm, now }: { vm: VmRecord; now: number }) {
  const watchError = useWatcher(vm.vmId);
  const preview = usePreview(vm.vmId);
  const stream = vm.agent?.stream ?? null;
  const obs = vm.agent?.obs ?? null;
  const samples = useStreamSamples(stream);
  return (
    <section className="vm-stream" aria-label={`Stream of ${vm.vmId}`}>
      <StreamPreview
        preview={preview.preview}
        error={preview.error ?? watchError}
        isLoading={preview.isLoading}
        now={now}
      />
      <StreamHealthLine stream={stream} obs={obs} now={now} />
      <StreamChart samples={samples} now={now} />
    </section>
  );
}
