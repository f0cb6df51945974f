#!/usr/bin/env bash
# The adoption test: the package as a platform team gets it, never this repository's own tree.
#
#   1. `npm pack` this repo: the tarball is the only thing the projects below see.
#   2. A GitOps project made by `cdk8s init typescript-app` (its CommonJS tsconfig with node10 resolution, its
#      jest), the README's install line, and the README's walkthrough files written verbatim (readme-blocks.mjs).
#      It must type-check under node10, node16 and bundler resolution, `cdk8s synth`, pass its snapshot test
#      twice (the second time with --ci: synth is deterministic), and its alerts/ must pass the README's
#      promtool/amtool checks.
#   3. An app project (ESM, Node's own resolution) with the README's shim-only install (`--omit=dev`): its size
#      is printed, then the README's Express, Fastify and worker code serve a request / run a job, and the
#      contract series are scraped from the metrics port.
#
# Usage: bash test/adoption/run.sh   (GS_REQUIRE_BINARIES=1 makes missing promtool/amtool a failure)
#   ADOPTION_DIR=<dir>        work there and keep it (default: a temporary folder, removed on success)
#   ADOPTION_REFERENCE=<dir>  the ADOPTION_DIR of an earlier run (another Node version): compare the generated
#                             files with it byte for byte instead of running the minutes-long promtool tests again
# Loopback only; every wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${ADOPTION_DIR:-$(mktemp -d /tmp/gs-adoption-XXXXXX)}"
APP_PORT=18080
METRICS_PORT=9464 # the README definition's metrics.port
step() { echo "::: adoption [node $(node --version)]: $*"; }
fail() { echo "adoption test FAILED: $*" >&2; exit 1; }
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
mkdir -p "$WORK"

# An install's output must carry no engine warning on a supported Node (issue: 24-26 EBADENGINE warnings).
no_engine_warnings() { if grep -n "EBADENGINE" "$1"; then fail "engine warnings in $1"; fi; }
# The README's own command line, with the package name replaced by the tarball.
readme_line() { grep -m1 -E "^$1\$" "$ROOT/README.md" || fail "README has no line matching: $1"; }

step "pack"
(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" >"$WORK/pack.log" 2>&1) || { cat "$WORK/pack.log"; fail "npm pack"; }
TARBALL="$(ls "$WORK"/cdk8s-golden-signals-*.tgz)"
tar tzf "$TARBALL" >"$WORK/tarball.txt"
unexpected="$(grep -v -E '^package/(lib/|package\.json$|README\.md$|BENCHMARKS\.md$|LICENSE$)' "$WORK/tarball.txt" || true)"
[ -z "$unexpected" ] || fail "the tarball ships files outside lib/: $unexpected"
grep -q '^package/lib/src/instrument/index.js$' "$WORK/tarball.txt" || fail "the tarball has no compiled shim"
echo "tarball: $(basename "$TARBALL"), $(wc -l <"$WORK/tarball.txt") files, $(du -k "$TARBALL" | cut -f1) KB"

# ---- the GitOps project ---------------------------------------------------------------------------------
GITOPS="$WORK/gitops"
rm -rf "$GITOPS" && mkdir -p "$GITOPS" && cd "$GITOPS"
step "cdk8s init typescript-app"
# init's last steps import the Kubernetes schema from GitHub, which this machine cannot reach; everything
# before (the template and its npm install) is what a user gets. Nothing here needs the k8s import.
if ! "$ROOT/node_modules/.bin/cdk8s" init typescript-app >"$WORK/init.log" 2>&1; then
  grep -q "Command failed: npm run import" "$WORK/init.log" || { tail -30 "$WORK/init.log"; fail "cdk8s init failed before its k8s import"; }
fi
[ -f tsconfig.json ] && [ -f jest.config.js ] && [ -d node_modules/cdk8s ] || fail "cdk8s init did not create the project"
sed -i '/^imports:/,$d' cdk8s.yaml
rm -rf main.ts main.test.ts __snapshots__ imports
grep -q '"module": "CommonJS"' tsconfig.json && ! grep -q moduleResolution tsconfig.json || fail "cdk8s init's tsconfig changed: expected CommonJS with the default (node10) resolution"

step "install as the README says"
install="$(readme_line 'npm install cdk8s-golden-signals cdk8s-plus-28 @grafana/grafana-foundation-sdk')"
${install/cdk8s-golden-signals /$TARBALL } >install.log 2>&1 || { cat install.log; fail "$install"; }
no_engine_warnings install.log
node "$ROOT/test/adoption/readme-blocks.mjs" "$ROOT/README.md" gitops "$GITOPS"

step "type-check with cdk8s init's tsconfig (node10), then node16 and bundler resolution"
npx tsc --noEmit -p . || fail "tsc (node10)"
npx tsc --noEmit -p . --module node16 --moduleResolution node16 || fail "tsc (node16)"
npx tsc --noEmit -p . --module preserve --moduleResolution bundler || fail "tsc (bundler)"

step "cdk8s synth"
npx cdk8s synth >synth.log 2>&1 || { cat synth.log; fail "cdk8s synth"; }
for f in dist/bank/ServiceMonitor.ledger-golden-signals.k8s.yaml dist/bank/PrometheusRule.statements-golden-signals.k8s.yaml \
  dist/bank/ScaledObject.statements.k8s.yaml dist/bank/HorizontalPodAutoscaler.ledger.k8s.yaml \
  dist/bank/AlertmanagerConfig.team-core-banking-routing.k8s.yaml dist/monitoring/ConfigMap.gs-all-services-fleet.k8s.yaml \
  alerts/bank-ledger.rules.yaml alerts/tests/bank-ledger.service.1m.test.yaml alerts/bank-ledger.scrape.yaml alerts/bank-statements.rules.yaml \
  alerts/alertmanager.yml dashboards/gs-bank-ledger-service.json dashboards/gs-all-services-fleet.json loadtests/bank-ledger.k6.js; do
  [ -f "$f" ] || { ls -R dist alerts dashboards; fail "synth did not write $f"; }
done
grep -q 'release: kube-prometheus-stack' dist/bank/PrometheusRule.ledger-golden-signals.k8s.yaml || fail "the PrometheusRule lacks kube-prometheus-stack's release label"
[ "$(ls dist/bank | grep -c '^AlertmanagerConfig')" = 1 ] || fail "per-team routing must give one AlertmanagerConfig: $(ls dist/bank | grep AlertmanagerConfig)"
grep -q '"/d/gs-all-services-fleet' dashboards/gs-bank-ledger-service.json || fail "the service dashboard does not link the fleet overview"

step "snapshot test (written, then checked with --ci)"
# --ci=false: CI sets CI=true, which makes jest refuse to write a new snapshot; a user writes it once, then commits it.
npx jest --ci=false >jest.log 2>&1 || { cat jest.log; fail "jest (first run)"; }
npx jest --ci >jest.log 2>&1 || { cat jest.log; fail "jest --ci: the snapshot changed between two synths"; }
ls __snapshots__/main.test.ts.snap >/dev/null

step "the README's rule and routing checks"
if [ -n "${ADOPTION_REFERENCE:-}" ]; then
  # A second run (CI's other Node version): the generated files must be byte-identical to the first run's,
  # which promtool and amtool already checked; `promtool test rules` takes minutes, so it runs once.
  for dir in dist alerts dashboards loadtests; do
    diff -r "$ADOPTION_REFERENCE/gitops/$dir" "$dir" || fail "$dir/ differs from the run in $ADOPTION_REFERENCE"
  done
  echo "dist/, alerts/, dashboards/ and loadtests/ are byte-identical to $ADOPTION_REFERENCE"
elif command -v promtool >/dev/null && command -v amtool >/dev/null; then
  bash "$GITOPS/check.sh" >check.log 2>&1 || { cat check.log; fail "README check.sh"; }
  grep -c "SUCCESS" check.log | xargs echo "promtool/amtool SUCCESS lines:"
elif [ "${GS_REQUIRE_BINARIES:-}" = 1 ]; then
  fail "promtool/amtool not on PATH and GS_REQUIRE_BINARIES=1"
else
  echo "SKIPPED: promtool/amtool not on PATH (apt-get install prometheus prometheus-alertmanager)"
fi

# ---- the app project ----------------------------------------------------------------------------------
APP="$WORK/app"
rm -rf "$APP" && mkdir -p "$APP" && cd "$APP"
step "shim-only install in an ESM app"
npm init -y >/dev/null && npm pkg set type=module
install="$(readme_line 'npm install cdk8s-golden-signals')"
${install/cdk8s-golden-signals/--omit=dev $TARBALL} >install.log 2>&1 || { cat install.log; fail "$install"; }
no_engine_warnings install.log
packages="$(npm ls --all --parseable --omit=dev 2>/dev/null | tail -n +2 | wc -l)"
size_kb="$(du -sk node_modules | cut -f1)"
echo "shim-only install: ${packages} packages, $(awk "BEGIN { printf \"%.1f\", $size_kb / 1024 }") MB ($(ls node_modules | tr '\n' ' '))"
for heavy in cdk8s cdk8s-plus-28 constructs @grafana @opentelemetry/sdk-node; do
  [ ! -e "node_modules/$heavy" ] || fail "the shim-only install brought $heavy"
done

step "the app's TypeScript: both subpaths under nodenext, node16 and bundler resolution, from ESM"
npm install --no-audit --no-fund express fastify >deps.log 2>&1 || { cat deps.log; fail "npm install express fastify"; }
npm install --no-audit --no-fund -D typescript@~5.9.3 @types/node@^22 >>deps.log 2>&1 || { cat deps.log; fail "npm install -D typescript"; }
no_engine_warnings deps.log
cp "$GITOPS/observability.ts" .
cat >resolution.ts <<'EOF'
import { defineService } from 'cdk8s-golden-signals/spec';
import { instrument, type GoldenSignals } from 'cdk8s-golden-signals/instrument';
const probe = defineService({ name: 'probe', namespace: 'bank', team: 'core-banking', metrics: { port: 9464 } });
export const gs: GoldenSignals = instrument(probe, { serve: false });
EOF
common=(--noEmit --strict --target es2022 --types node --skipLibCheck false resolution.ts observability.ts)
npx tsc "${common[@]}" --module nodenext --moduleResolution nodenext || fail "tsc (nodenext, ESM)"
npx tsc "${common[@]}" --module node16 --moduleResolution node16 || fail "tsc (node16, ESM)"
npx tsc "${common[@]}" --module esnext --moduleResolution bundler || fail "tsc (bundler, ESM)"
# The app imports the same definition the charts do, compiled as ESM.
npx tsc --module nodenext --moduleResolution nodenext --target es2022 --strict --types node observability.ts || fail "tsc observability.ts"
node "$ROOT/test/adoption/readme-blocks.mjs" "$ROOT/README.md" app "$APP"

# Waits (bounded) until a URL answers, then prints its body.
fetch_when_up() {
  node -e '
    const [url, tries] = [process.argv[1], 100];
    (async () => {
      for (let i = 0; i < tries; i++) {
        try { const r = await fetch(url); process.stdout.write(await r.text()); return; } catch { await new Promise((s) => setTimeout(s, 100)); }
      }
      console.error("no answer from " + url); process.exit(1);
    })();' "$1"
}
contract_series() { grep -E "^$1\{" | grep -F "$2" || { echo "--- metrics:"; cat; fail "no $1 series with $2"; }; }

for server in server.mjs fastify-server.mjs; do
  step "$server: one request, then the contract series on :$METRICS_PORT"
  PORT=$APP_PORT node "$server" >"$server.log" 2>&1 &
  pids+=($!)
  fetch_when_up "http://127.0.0.1:$APP_PORT/accounts/42" | grep -q '"balance":0' || { cat "$server.log"; fail "$server did not answer"; }
  metrics="$(fetch_when_up "http://127.0.0.1:$METRICS_PORT/metrics")"
  series="$(echo "$metrics" | contract_series http_server_request_duration_seconds_count 'http_route="/accounts/:id"')"
  echo "$series"
  echo "$series" | grep 'http_response_status_code="200"' | grep -q ' 1$' || fail "the request was not counted once with status 200"
  echo "$metrics" | grep -q '^http_server_request_duration_seconds_bucket{.*le="0.3"' || fail "no 300ms bucket (the latency SLO threshold)"
  echo "$metrics" | grep -q '^nodejs_eventloop_time_seconds_total{' || fail "no event-loop time series"
  kill "${pids[-1]}" && wait "${pids[-1]}" 2>/dev/null || true
done

step "worker.mjs: one job, then the operation series"
node --input-type=module -e "
  const worker = await import('./worker.mjs');
  await worker.onMessage({ account: 'ACC-1' });
  const text = await (await fetch('http://127.0.0.1:$METRICS_PORT/metrics')).text();
  console.log(text.split('\n').filter((l) => l.startsWith('golden_signals_operation_duration_seconds_count')).join('\n'));
  process.exit(0);" >worker.out 2>&1 || { cat worker.out; fail "worker.mjs"; }
grep -E 'operation="render-statement"' worker.out | grep 'outcome="success"' | grep -q ' 1$' || { cat worker.out; fail "the job was not recorded as one success"; }

step "passed (work dir $WORK)"
[ -n "${ADOPTION_DIR:-}" ] || rm -rf "$WORK"
