import {
  alertDeliveryCases,
  alertDeliveryQueueCases,
  alertIndexCases,
  assignmentSlotCases,
  openRequestCases,
  scheduleMarkCases,
} from './control-plane.cases';
import { defineMatrix } from './matrix';

defineMatrix('vmPool/assignments/{compId} (control plane only)', assignmentSlotCases);
defineMatrix('vmPool/openRequests/{requestId} (control plane only)', openRequestCases);
defineMatrix('vmPool/alertIndex/{scope}/{sourceId} (control plane only)', alertIndexCases);
defineMatrix('vmPool/schedule/{compId} (control plane only)', scheduleMarkCases);
defineMatrix(
  'vmPool/alertDeliveries/{scope}/{alertId}/{event} (control plane only)',
  alertDeliveryCases,
);
defineMatrix(
  'vmPool/alertDeliveryQueue/{scope}/{alertId}/{event} (control plane only)',
  alertDeliveryQueueCases,
);
