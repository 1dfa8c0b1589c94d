#!/usr/bin/env bash
# Pre-fetches HL7's official tx-ecosystem test runner (TxTester in ca.uhn.hapi.fhir:org.hl7.fhir.validation,
# version pinned in test/java/tx-tester/pom.xml) from Maven Central and compiles test/java/tx-tester, so
# that test/conformance/official-runner.test.ts runs offline. Idempotent; needs java (17+) and mvn.
# Writes test/java/tx-tester/target/classes and target/classpath.txt; exports nothing.
set -euo pipefail
exec bash "$(dirname "$0")/java-peer.sh" tx-tester "setup-tx-tester: official TxTester"
