#!/usr/bin/env bash
# Compiles one Maven test peer under test/java/ (its dependencies fetched from Maven Central once)
# and writes target/classes and target/classpath.txt there, so the node test that runs it works
# offline. Usage: .ci/java-peer.sh <folder under test/java> <label for messages>. Idempotent; needs
# java (17+) and mvn. Exports nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
project="test/java/$1"
label="$2"
command -v java >/dev/null || { echo "$label: java not found" >&2; exit 1; }
command -v mvn >/dev/null || { echo "$label: mvn not found" >&2; exit 1; }
mvn -B -q -f "$project/pom.xml" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
echo "$label: compiled ($project/target)"
