/** The service definition: plain typed data, safe to import at runtime (no cdk8s). */
export * from './duration';
export * from './pools';
export * from './routing';
export * from './time-intervals';
export * from './service';
export * from './scaling';
