/** Alertmanager routing, receivers and inhibitions generated from the service definitions (pure data). */
export * from './alertmanager-yaml';
export * from './inhibit';
export * from './operator';
export * from './plan';
export * from './resolve';
export * from './time-intervals';
export * from './types';
