"""Python `hl7` package (PyPI) peer for the gateway test (driven by test/hl7/peers.test.ts).

Builds ORM^O01 messages with hl7.parse, sends them with hl7.client.MLLPClient (UTF-8 and GB18030),
parses each ACK with hl7.parse and checks MSA-1 / MSA-2. Prints one line per message; exit 1 on a
failed expectation, exit 3 when the package is missing (the node test then SKIPs with SKIP-PEER).
"""
import sys

try:
    import hl7
    from hl7.client import MLLPClient
except ImportError:  # pragma: no cover
    print("SKIP-PEER: python package hl7 is not installed (pip install hl7)")
    sys.exit(3)


def orm(control_id: str, msh18: str, name: str) -> str:
    segments = [
        f"MSH|^~\\&|PYHL7|PYHOSP|RIS|IMG|20261123103000||ORM^O01|{control_id}|P|2.4||||||{msh18}",
        f"PID|1||P888^^^PYHOSP^MR||{name}||19900505|F",
        f"ORC|NW|{control_id}^PY",
        f"OBR|1|{control_id}^PY||MR0203^头颅MRI平扫+DWI^L|||20261123103000||||||||||||||||MR",
    ]
    return "\r".join(segments) + "\r"


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    cases = [("PY-ORM-1", "UNICODE UTF-8", "赵^六", "utf-8"), ("PY-ORM-2", "GB 18030-2000", "和^珅", "gb18030")]
    for control_id, msh18, name, encoding in cases:
        message = hl7.parse(orm(control_id, msh18, name))
        assert str(message.segment("PID")[5]) == name, "hl7.parse kept PID-5"
        with MLLPClient(host, port, encoding=encoding) as client:
            raw = client.send_message(message)
        text = raw.decode(encoding) if isinstance(raw, bytes) else raw
        ack = hl7.parse(text.strip("\x0b\x1c\r") + "\r")
        msa = ack.segment("MSA")
        code, acked_id = str(msa[1]), str(msa[2])
        if code not in ("AA", "CA") or acked_id != control_id:
            print(f"FAIL {control_id}: MSA={code}|{acked_id}")
            return 1
        print(f"ACK {control_id} {code} {ack.segment('MSH')[9]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
