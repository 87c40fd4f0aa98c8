// What the producers' show-controller (Isaac-Hammett/gymnastics-graphics, show-controller/)
// reads and writes under the paths that vmpool's rules govern, read from its source
// (commit d997e6e). It never signs in: every call below is made with `auth == null`.
// Its own data (competitions/{compId}/currentGraphic, teamData, rundown, production;
// teamsDatabase, rtnCache, rundownTemplates, segmentTemplates) belongs to its own rules file,
// which the merge tool combines with vmpool's (docs/show-controller-sign-in.md lists it all).

export type ShowControllerOp = 'read' | 'write';

export interface ShowControllerAccess {
  /** RTDB path with `{compId}` / `{alertId}` placeholders. */
  readonly path: string;
  readonly op: ShowControllerOp;
  /** The firebase/database call as the app makes it. */
  readonly call: string;
  /** File and line under show-controller/src. */
  readonly source: string;
  /** When the app makes it. */
  readonly when: string;
}

export const SHOW_CONTROLLER_ACCESS: readonly ShowControllerAccess[] = [
  {
    path: 'competitions/{compId}/config',
    op: 'read',
    call: 'onValue(ref(db, `competitions/${compId}/config`), next, error)',
    source: 'context/CompetitionContext.jsx:105',
    when: 'every competition page (/{compId}/*) on load; an error shows "Error Loading Competition"',
  },
  {
    path: 'competitions/{compId}/config',
    op: 'read',
    call: 'onValue(ref(db, `competitions/${compId}/config`), next)',
    source: 'components/GraphicsControl.jsx:187',
    when: 'the producer page (/{compId}/producer), its graphics panel',
  },
  {
    path: 'alerts/{compId}',
    op: 'read',
    call: 'onValue(ref(db, `alerts/${competitionId}`), next, error)',
    source: 'hooks/useAlerts.js:46',
    when: 'the producer page, its alert panel and critical banner',
  },
  {
    path: 'competitions',
    op: 'read',
    call: "onValue(ref(db, 'competitions'), next, error)",
    source: 'hooks/useCompetitions.js:341',
    when: 'the home page (/) and the URL generator list every competition',
  },
  {
    path: 'competitions/{compId}/config',
    op: 'read',
    call: 'onValue(ref(db, `competitions/${compId}/config`), next, error)',
    source: 'hooks/useCompetitions.js:592',
    when: 'the graphics page (/{compId}/graphics) and the URL generator',
  },
  {
    path: 'competitions/{compId}/config',
    op: 'read',
    call: 'get(ref(db, `competitions/${compId}/config`))',
    source: 'hooks/useCompetitions.js:426 and :480',
    when: 'home page: refresh team data, duplicate a competition',
  },
  {
    path: 'vmPool/vms',
    op: 'read',
    call: "onValue(ref(db, 'vmPool/vms'), next, error)",
    source: 'hooks/useVMPool.js:32',
    when: 'the home page and its own VM pool page (/_admin/vm-pool)',
  },
  {
    path: 'vmPool/config',
    op: 'read',
    call: "onValue(ref(db, 'vmPool/config'), next)",
    source: 'hooks/useVMPool.js:33',
    when: 'the home page and /_admin/vm-pool',
  },
  {
    path: 'alerts/{compId}/{alertId}',
    op: 'write',
    call: "update(ref(db, `alerts/${competitionId}/${alertId}`), { acknowledged: true, acknowledgedAt: new Date().toISOString(), acknowledgedBy: 'producer' })",
    source: 'hooks/useAlerts.js:84',
    when: 'the producer page: Acknowledge / Acknowledge All',
  },
  {
    path: 'competitions/{compId}/config',
    op: 'write',
    call: 'set(…/config, config) / update(…/config, updates)',
    source: 'hooks/useCompetitions.js:356, 377, 390, 411, 457, 493, 554, 622',
    when: 'home page: create, edit, duplicate a competition, RTN enrichment; graphics page: updateConfig',
  },
  {
    path: 'competitions/{compId}',
    op: 'write',
    call: 'remove(ref(db, `competitions/${compId}`))',
    source: 'hooks/useCompetitions.js:471',
    when: 'home page: delete a competition',
  },
];
