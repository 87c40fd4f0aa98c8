export * from './clock';
export * from './logger';
export * from './compute';
export * from './remote-exec';
export * from './show-probe';
