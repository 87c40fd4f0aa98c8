import { defineMatrix } from './matrix';
import {
  bootStatsCases,
  competitionCostCases,
  monthlyCostCases,
  scheduleConfigCases,
  scheduleRequestCases,
  showTimeCases,
  statusHistoryCases,
} from './schedule.cases';

defineMatrix('competitions/{compId}/config/startsAt|endsAt', showTimeCases);
defineMatrix('vmPool/config (schedule and prices)', scheduleConfigCases);
defineMatrix('vmPool/requests (the schedule’s)', scheduleRequestCases);
defineMatrix('vmPool/statusHistory/{vmId}/{entryId}', statusHistoryCases);
defineMatrix('vmPool/costs/{month}', monthlyCostCases);
defineMatrix('vmPool/costs/{month}/competitions/{compId}', competitionCostCases);
defineMatrix('vmPool/bootStats/{region}/{priceKey}', bootStatsCases);
