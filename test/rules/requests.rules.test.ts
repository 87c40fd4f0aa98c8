import { defineMatrix } from './matrix';
import { requestCreateCases, requestImmutabilityCases, requestReadCases } from './requests.cases';

defineMatrix('vmPool/requests: reading', requestReadCases);
defineMatrix('vmPool/requests: creating', requestCreateCases);
defineMatrix('vmPool/requests: create-only, result by the control plane', requestImmutabilityCases);
