import { defineMatrix } from './matrix';
import {
  previewCases,
  streamReportCases,
  streamThresholdCases,
  watcherCases,
} from './stream.cases';

defineMatrix('vmPool/vms/{vmId}/agent/stream and /obs', streamReportCases);
defineMatrix('vmPool/vms/{vmId}/watchers/{uid}', watcherCases);
defineMatrix('vmPool/previews/{vmId}', previewCases);
defineMatrix('vmPool/config stream alert thresholds', streamThresholdCases);
