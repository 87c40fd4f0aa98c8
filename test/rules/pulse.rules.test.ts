import { defineMatrix } from './matrix';
import { pulseCases } from './pulse.cases';

defineMatrix('vmPool/pulse/{vmId}', pulseCases);
