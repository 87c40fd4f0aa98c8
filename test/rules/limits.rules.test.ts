import { poolSummaryCases, requestQuotaCases } from './limits.cases';
import { defineMatrix } from './matrix';

defineMatrix('vmPool/requestQuota/{uid}: rate limits on requests (issue 9)', requestQuotaCases);
defineMatrix('vmPool/summary: the pool as producers see it (issue 9)', poolSummaryCases);
