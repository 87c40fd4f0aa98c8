import {
  alertCases,
  auditCases,
  competitionCases,
  producerAccessCases,
} from './competitions.cases';
import { defineMatrix } from './matrix';

defineMatrix('competitions/{compId}/config', competitionCases);
defineMatrix('producerAccess/{uid}', producerAccessCases);
defineMatrix('alerts/{scope}/{alertId}', alertCases);
defineMatrix('audit', auditCases);
