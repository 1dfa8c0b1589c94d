#!/usr/bin/env bash
# Pre-fetches HL7's official tx-ecosystem test runner (TxTester in ca.uhn.hapi.fhir:org.hl7.fhir.validation,
# version pinned in test/java/tx-tester/pom.xml) from Maven Central and compiles test/java/tx-tester, so
# that test/conformance/official-runner.test.ts runs offline. Idempotent; needs java (17+) and mvn.
# Writes test/java/tx-tester/target/classes and target/classpath.txt; exports nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v java >/dev/null || { echo "setup-tx-tester: java not found" >&2; exit 1; }
command -v mvn >/dev/null || { echo "setup-tx-tester: mvn not found" >&2; exit 1; }
mvn -B -q -f test/java/tx-tester/pom.xml compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt
echo "setup-tx-tester: official TxTester compiled (test/java/tx-tester/target)"
