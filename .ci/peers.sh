# Sourced by .ci/run: installs and starts every external peer the tests use, so that no test
# skips in CI. Each setup script is idempotent and safe on a fresh machine of the polyglot kind.
# shellcheck shell=bash

peer_log="$LOG_DIR/peers"
mkdir -p "$peer_log"

# FerretDB takes minutes to compile on a fresh Go cache: start the build first, in the background,
# and do the Maven/pip work while it runs.
bash "$ROOT/.ci/setup-ferretdb.sh" build >"$peer_log/ferretdb-build.log" 2>&1 &
ferret_build_pid=$!

echo "-- HL7 peers (python hl7, HAPI HL7v2)"
bash "$ROOT/.ci/setup-hl7-peers.sh" >"$peer_log/hl7.log" 2>&1 || { cat "$peer_log/hl7.log"; exit 1; }
echo "-- HAPI FHIR client"
bash "$ROOT/.ci/setup-fhir-client.sh" >"$peer_log/fhir-client.log" 2>&1 || { cat "$peer_log/fhir-client.log"; exit 1; }
echo "-- HL7 official tx-ecosystem runner (TxTester)"
bash "$ROOT/.ci/setup-tx-tester.sh" >"$peer_log/tx-tester.log" 2>&1 || { cat "$peer_log/tx-tester.log"; exit 1; }
echo "-- HAPI NpmPackage reader"
bash "$ROOT/.ci/setup-sync-peers.sh" >"$peer_log/sync.log" 2>&1 || { cat "$peer_log/sync.log"; exit 1; }

echo "-- FerretDB"
if ! wait "$ferret_build_pid"; then cat "$peer_log/ferretdb-build.log"; exit 1; fi
uri_line="$(bash "$ROOT/.ci/setup-ferretdb.sh" 2>>"$peer_log/ferretdb.log")" || { cat "$peer_log/ferretdb.log"; exit 1; }
eval "$uri_line"
echo "   MONGODB_URI=$MONGODB_URI"
stop_ferretdb() { bash "$ROOT/.ci/setup-ferretdb.sh" stop >/dev/null 2>&1 || true; }
trap stop_ferretdb EXIT

# The tx-ecosystem suite and the matching dev set live in ../shared beside the clone.
if [ ! -d "$ROOT/../shared/tx-ecosystem/tests" ]; then
  echo "CI: ../shared/tx-ecosystem is missing; the conformance tests cannot run"; exit 1
fi
