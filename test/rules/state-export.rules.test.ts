import { defineMatrix } from './matrix';
import { stateExportCases } from './state-export.cases';

defineMatrix('vmPool/stateExports/{compId} (issue 12)', stateExportCases);
