export { startShowServer, type ShowServer, type ShowServerOptions } from './server';
export type { ObsState, ShowStatus, ConnectedClient, ShowSegment } from './state';
