// @vmpool/core: the pool's pure domain. No I/O, no clock, no process: time and config come in
// as arguments.
export * from './contract/index';
export * from './domain/vm-status';
export * from './domain/deadlines';
export * from './domain/commands';
export * from './domain/recovery';
// Issue 11: the run lease of an open request.
export * from './domain/request-lease';
export * from './domain/policies/index';
export * from './ports/index';
