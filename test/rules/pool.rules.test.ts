import { defineMatrix } from './matrix';
import { agentReportCases, configCases, identityCases, vmCases } from './pool.cases';

defineMatrix('vmPool/config', configCases);
defineMatrix('vmPool/vms/{vmId} (control plane)', vmCases);
defineMatrix('vmPool/vms/{vmId}/agent', agentReportCases);
defineMatrix('vmPool/identity', identityCases);
