/** The metric contract: names, labels, buckets, the error predicate and PromQL builders. No cdk8s. */
export * from './autoscaling';
export * from './contract';
export * from './promql';
export * from './queries';
export * from './recorded';
