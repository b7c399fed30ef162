#!/usr/bin/env bash
# Prints the operator image's size (scripts/operator-image.sh builds it): each layer compressed and unpacked, and the
# whole image, the figures issue #19 asks `make bench` to print.
set -euo pipefail
tar=$("$(dirname "$0")/operator-image.sh" | tail -n 1)
python3 - "$tar" <<'PY'
import io, json, sys, tarfile
with tarfile.open(sys.argv[1]) as oci:
    blob = lambda digest: oci.extractfile("blobs/sha256/" + digest.split(":")[1]).read()
    index = json.loads(oci.extractfile("index.json").read())
    manifest = json.loads(blob(index["manifests"][0]["digest"]))
    total_packed = total_unpacked = 0
    print("leak-operator:dev, the NativeAOT operator on the runtime-deps base:")
    for i, layer in enumerate(manifest["layers"]):
        data = blob(layer["digest"])
        with tarfile.open(fileobj=io.BytesIO(data)) as files:
            unpacked = sum(m.size for m in files.getmembers() if m.isfile())
            biggest = max((m for m in files.getmembers() if m.isfile()), key=lambda m: m.size)
        total_packed += len(data)
        total_unpacked += unpacked
        role = "runtime base" if i == 0 else "operator"
        print(f"  layer {i + 1} ({role}): {len(data) / 1048576:.1f} MiB compressed, {unpacked / 1048576:.1f} MiB unpacked (largest file: {biggest.name}, {biggest.size / 1048576:.1f} MiB)")
    print(f"  whole image: {total_packed / 1048576:.1f} MiB compressed, {total_unpacked / 1048576:.1f} MiB unpacked")
PY
