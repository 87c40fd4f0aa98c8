export * from './allocation';
export * from './warm-pool';
export * from './idle-stop';
export * from './health';
export * from './alerts';
export * from './agent-silence';
export * from './stream-alerts';
