/**
 * The synth side (constructs, rules, dashboards) needs packages an app's production image should not carry,
 * so they are optional peer dependencies: `npm install cdk8s-golden-signals` in an app brings only the shim's
 * dependencies. This check turns a missing one into an error that says what to install, instead of Node's
 * bare "Cannot find module" from deep inside the library.
 */
/** Package → a module of it the library loads (the Grafana SDK exports subpaths only). */
const SYNTH_PEERS: Readonly<Record<string, string>> = {
  cdk8s: 'cdk8s',
  constructs: 'constructs',
  'cdk8s-plus-28': 'cdk8s-plus-28',
  '@grafana/grafana-foundation-sdk': '@grafana/grafana-foundation-sdk/dashboard',
};

const missing = Object.keys(SYNTH_PEERS).filter((name) => {
  try {
    require.resolve(SYNTH_PEERS[name]);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  throw new Error(
    `cdk8s-golden-signals: synthesizing needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed. ` +
      `Run: npm install ${missing.join(' ')}\n` +
      "(An app that only instruments itself should import 'cdk8s-golden-signals/instrument', which needs none of them.)",
  );
}

export {};
