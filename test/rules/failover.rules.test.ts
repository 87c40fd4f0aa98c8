import { failoverRecordCases, failoverRequestCases } from './failover.cases';
import { defineMatrix } from './matrix';

defineMatrix('vmPool/failovers/{compId} (issue 12)', failoverRecordCases);
defineMatrix('vmPool/requests (failover: switch and the failover’s assigns)', failoverRequestCases);
