#!/usr/bin/env bash
# Installs the HL7 v2 peers used by test/hl7/peers.test.ts (idempotent, fresh-machine safe):
#  - Python `hl7` package from PyPI (MLLP client peer, test/python/hl7_peer.py);
#  - Maven Central artifacts of the HAPI HL7v2 peer (test/java/hl7), compiled once so that the
#    node test can build it offline (`mvn -o`).
# Needs python3 + pip, java 17+ and mvn on PATH. Exports nothing; the tests read no env var for it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! python3 -c 'import hl7.client' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'hl7>=0.4.5,<0.5' || python3 -m pip install --quiet --user 'hl7>=0.4.5,<0.5'
fi
python3 -c 'import hl7.client; print("hl7 python package:", hl7.__version__ if hasattr(hl7, "__version__") else "installed")'

cd "$ROOT/test/java/hl7"
mvn -q -B dependency:go-offline
mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
echo "HAPI HL7v2 peer compiled: $ROOT/test/java/hl7/target/classes"
