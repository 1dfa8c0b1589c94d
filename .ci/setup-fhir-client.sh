#!/usr/bin/env bash
# Pre-fetches HAPI FHIR 8.x from Maven Central and compiles test/java/fhir-client, so that
# test/clients/hapi-fhir.test.ts runs offline and fast. Idempotent; needs java (17+) and mvn.
# Writes test/java/fhir-client/target/classes and target/classpath.txt; exports nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "setup-fhir-client: java not found" >&2; exit 1; }
command -v mvn >/dev/null || { echo "setup-fhir-client: mvn not found" >&2; exit 1; }
mvn -B -q -f test/java/fhir-client/pom.xml compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt
echo "setup-fhir-client: HAPI FHIR client compiled (test/java/fhir-client/target)"
