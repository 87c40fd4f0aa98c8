export { startObsStandIn, type ObsStandIn, type ObsStandInOptions } from './server';
export {
  SimulatedObs,
  parseObsControl,
  DEFAULT_OBS_CONTROL,
  STANDIN_CANVAS,
  STANDIN_SCENES,
  type ObsControl,
} from './simulation';
export { encodeJpeg } from './jpeg-encoder';
export { renderTestCard } from './test-card';
