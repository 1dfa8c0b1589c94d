#!/usr/bin/env bash
# Pre-fetches what the sync tests' Java peer needs: HAPI's FHIR package reader
# (ca.uhn.hapi.fhir:org.hl7.fhir.utilities) and the Maven plugins used by
# test/sync/npm-package-java.test.ts. Idempotent; safe on a fresh machine (installs a JDK and
# Maven from Debian when absent). Exports nothing; the test reads no environment variables.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  echo "setup-sync-peers: installing Java and Maven" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq default-jdk-headless maven >/dev/null
fi

cd test/java/npm-package
# The same goals the test runs, so everything they need is in ~/.m2 afterwards.
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
echo "setup-sync-peers: HAPI NpmPackage reader ready ($(wc -c < target/classpath.txt) bytes of classpath)"
