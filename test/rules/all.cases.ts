// Every case of the strict matrix, for the file-wide checks and the compat profile.
import { agentRunCases, commandCreateCases, commandReadCases } from './commands.cases';
import {
  alertCases,
  auditCases,
  competitionCases,
  producerAccessCases,
} from './competitions.cases';
import { alertWebhookStatusCases } from './alert-webhook.cases';
import { controlPlaneCases } from './control-plane.cases';
import { failoverRecordCases, failoverRequestCases } from './failover.cases';
import { stateExportCases } from './state-export.cases';
import { poolSummaryCases, requestQuotaCases } from './limits.cases';
import type { RuleCase } from './matrix';
import { agentReportCases, configCases, identityCases, vmCases } from './pool.cases';
import { pulseCases } from './pulse.cases';
import { requestCreateCases, requestImmutabilityCases, requestReadCases } from './requests.cases';
import {
  bootStatsCases,
  competitionCostCases,
  monthlyCostCases,
  scheduleConfigCases,
  scheduleRequestCases,
  showTimeCases,
  statusHistoryCases,
} from './schedule.cases';
import {
  previewCases,
  streamReportCases,
  streamThresholdCases,
  watcherCases,
} from './stream.cases';

export const ALL_CASES: RuleCase[] = [
  ...configCases,
  ...vmCases,
  ...agentReportCases,
  ...identityCases,
  ...requestReadCases,
  ...requestCreateCases,
  ...requestImmutabilityCases,
  ...commandReadCases,
  ...commandCreateCases,
  ...agentRunCases,
  ...competitionCases,
  ...producerAccessCases,
  ...alertCases,
  ...auditCases,
  ...controlPlaneCases,
  ...showTimeCases,
  ...scheduleConfigCases,
  ...scheduleRequestCases,
  ...statusHistoryCases,
  ...monthlyCostCases,
  ...competitionCostCases,
  ...bootStatsCases,
  ...streamReportCases,
  ...watcherCases,
  ...previewCases,
  ...failoverRecordCases,
  ...failoverRequestCases,
  ...stateExportCases,
  ...pulseCases,
  ...requestQuotaCases,
  ...poolSummaryCases,
  ...alertWebhookStatusCases,
  ...streamThresholdCases,
];
