#!/usr/bin/python3
"""An example Avro client of muxflow, written against the published .avsc files with Debian's
python3-avro (apt-get install python3-avro kcat), not muxflow's code: it encodes an InferenceRequest
in Avro single-object encoding (0xC3 0x01, the schema's CRC-64-AVRO fingerprint little-endian, then
the binary datum; python3-avro has no helper for the header) and decodes InferenceResponse messages
read by kcat. ServingEndToEndIT runs it against the serving job.

  avro_client.py encode SCHEMA_DIR REQUEST_ID MODEL OUT_FILE
  avro_client.py decode SCHEMA_DIR < kcat output ('%k %S\\n%s' per message)

With `bin/muxflow local` running (its bootstrap address is printed; schemas/src/main/avro holds the
published schemas):

  python3 docs/examples/avro_client.py encode schemas/src/main/avro py-1 bert-a req.bin
  kcat -b localhost:41231 -t muxflow.requests -k bert-a -P req.bin
  kcat -b localhost:41231 -t muxflow.responses -C -o beginning -e -q -X isolation.level=read_committed \\
      -f '%k %S\\n%s' | python3 docs/examples/avro_client.py decode schemas/src/main/avro
"""
import io
import json
import struct
import sys
import time

import avro.io
import avro.schema

EMPTY = 0xC15D213AA4D7A795


def crc64_avro(data):
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ table[(fp ^ b) & 0xFF]
    return fp


def canonical(schema_json):
    # Parsing Canonical Form: keep only type/name/fields/symbols/items/values/size, full names, no whitespace.
    def pcf(s, ns):
        if isinstance(s, str):
            if s in ("null", "boolean", "int", "long", "float", "double", "bytes", "string"):
                return '"%s"' % s
            return '"%s"' % (s if "." in s else (ns + "." + s if ns else s))
        if isinstance(s, list):
            return "[" + ",".join(pcf(x, ns) for x in s) + "]"
        t = s["type"]
        if t in ("record", "enum", "fixed"):
            name = s["name"]
            ns2 = s.get("namespace", ns)
            full = name if "." in name else (ns2 + "." + name if ns2 else name)
            ns2 = full.rsplit(".", 1)[0] if "." in full else ns2
            parts = ['"name":"%s"' % full, '"type":"%s"' % t]
            if t == "record":
                parts.append('"fields":[' + ",".join(
                    '{"name":"%s","type":%s}' % (f["name"], pcf(f["type"], ns2)) for f in s["fields"]) + "]")
            elif t == "enum":
                parts.append('"symbols":[' + ",".join('"%s"' % x for x in s["symbols"]) + "]")
            else:
                parts.append('"size":%d' % s["size"])
            return "{" + ",".join(parts) + "}"
        if t == "array":
            return '{"type":"array","items":%s}' % pcf(s["items"], ns)
        if t == "map":
            return '{"type":"map","values":%s}' % pcf(s["values"], ns)
        return pcf(t, ns)
    return pcf(schema_json, "")


def load(schema_dir, name):
    text = open(f"{schema_dir}/{name}.avsc").read()
    return avro.schema.parse(text), crc64_avro(canonical(json.loads(text)).encode())


def encode(schema_dir, request_id, model, out_file):
    schema, fp = load(schema_dir, "InferenceRequest")
    now = int(time.time() * 1e6)
    datum = {"request_id": request_id, "model": model, "client_send_us": now, "slo_us": 10_000_000,
             "deadline_us": None, "token_ids": [101, 7, 9, 102], "input": None, "attributes": {"client": "python3-avro"}}
    # python3-avro's writer does not apply defaults: fields this client does not set (newer schema
    # versions add some) take the schema's default
    for f in schema.fields:
        if f.name not in datum and f.has_default:
            datum[f.name] = f.default
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(buf))
    with open(out_file, "wb") as f:
        f.write(b"\xc3\x01" + struct.pack("<Q", fp) + buf.getvalue())


def decode(schema_dir):
    schema, fp = load(schema_dir, "InferenceResponse")
    data = sys.stdin.buffer.read()
    pos = 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        key, size = data[pos:nl].rsplit(b" ", 1)
        size = int(size)
        value = data[nl + 1:nl + 1 + size]
        pos = nl + 1 + size
        if value[:2] != b"\xc3\x01":
            continue  # a JSON-encoded response of another client
        if struct.unpack("<Q", value[2:10])[0] != fp:
            print(json.dumps({"error": "fingerprint mismatch"}))
            continue
        rec = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
        print(json.dumps({"request_id": rec["request_id"], "status": rec["status"], "detail": rec["detail"],
                          "output_len": len(rec["output"] or []), "tokens": rec.get("tokens", []),
                          "client": rec["attributes"].get("client")}))


if __name__ == "__main__":
    if sys.argv[1] == "encode":
        encode(*sys.argv[2:6])
    else:
        decode(sys.argv[2])
