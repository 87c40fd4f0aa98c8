/**
 * What the pool costs (`vmPool/costs`), projected costs of scheduled shows, and pool insights
 * (status history, requests, boot stats) as charts.
 */
export { CostOverview, formatUsd } from './components/CostOverview';
export { InsightsView } from './components/InsightsView';
export { useCosts, useInsightsData, type CostsView, type InsightsData } from './hooks/useCosts';
export {
  daysBetween,
  requestsPerDay,
  timeToReady,
  utilisationPerDay,
  type DayCount,
  type DayUtilisation,
  type ReadyTimes,
  type RequestRow,
} from './lib/insights';
