#!/usr/bin/env bash
# Pre-fetches HAPI FHIR 8.x from Maven Central and compiles test/java/fhir-client, so that
# test/clients/hapi-fhir.test.ts runs offline and fast. Idempotent; needs java (17+) and mvn.
# Writes test/java/fhir-client/target/classes and target/classpath.txt; exports nothing.
set -euo pipefail
exec bash "$(dirname "$0")/java-peer.sh" fhir-client "setup-fhir-client: HAPI FHIR client"
