export { runCli, toolHelp, type Io } from './main';
export { LOCAL_DEFAULTS, LOCAL_ACTOR, parseCliConfig } from './config';
export { EXIT } from './errors';
