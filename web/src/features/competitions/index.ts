/**
 * Competitions the user may see (`competitions/{compId}/config`, `producerAccess/{uid}`), the
 * connection test against a competition's show server and the views of its VM.
 */
export type { CompetitionSummary } from './api/competitions';
export { AssignmentPanel } from './components/AssignmentPanel';
export { CompetitionGate } from './components/CompetitionGate';
export { CompetitionVmBadge } from './components/CompetitionVmBadge';
export { ConnectionPanel } from './components/ConnectionPanel';
export { ServicePanel } from './components/ServicePanel';
export { ShowTimesEditor } from './components/ShowTimesEditor';
export { VmStatusWidget } from './components/VmStatusWidget';
export { useCompetitions, type CompetitionsView } from './hooks/useCompetitions';
export { useConnectionTest, type ConnectionTestView } from './hooks/useConnectionTest';
