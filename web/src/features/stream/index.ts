/**
 * Stream health and the live preview (issue 15): watcher registration while a VM is shown,
 * the preview with its age, the health line and a chart of the last minutes.
 */
export { VmStreamPanel } from './components/VmStreamPanel';
export { StreamChart, StreamHealthLine, describeStream } from './components/StreamHealth';
export { StreamPreview } from './components/StreamPreview';
export { usePreview, useStreamSamples, useWatcher } from './hooks/useStreamView';
export { addSample, type StreamSample } from './lib/samples';
