/** Validation of a definition into a normalized model with every default resolved once. */
export * from './burn-tiers';
export * from './compress';
export * from './pools';
export * from './resolve';
export * from './scaling';
export * from './timings';
export * from './types';
export * from './uid';
