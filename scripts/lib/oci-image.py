#!/usr/bin/env python3
"""Writes a one-layer OCI image-layout tar (what `ctr images import` reads) from files on this machine.

No registry is reachable from these machines, so the node's sandbox ("pause") image is assembled from local files:
--rootfs-file SRC:DEST puts one file in the image (repeatable); --entrypoint and --user set its config. Entries are
owned by root with mtime 0, so the same files give the same image. (The operator's image is built from its
Dockerfile by buildah: scripts/operator-image.sh.)
"""
import argparse
import gzip
import hashlib
import io
import json
import tarfile


def add_parents(tar, path, seen):
    parts = path.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        parent = "/".join(parts[:i])
        if parent not in seen:
            seen.add(parent)
            info = tarfile.TarInfo(parent)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)


def add(tar, source, dest, seen):
    dest = dest.strip("/")
    add_parents(tar, dest, seen)
    if dest in seen:
        return
    seen.add(dest)
    info = tar.gettarinfo(source, arcname=dest)
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = 0
    if info.isreg():
        with open(source, "rb") as f:
            tar.addfile(info, f)
    else:
        tar.addfile(info)


def layer(args):
    buffer = io.BytesIO()
    seen = set()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for spec in args.rootfs_file:
            source, dest = spec.split(":", 1)
            add(tar, source, dest, seen)
    return buffer.getvalue()


def blob(tar, data):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo(f"blobs/sha256/{digest}")
    info.size, info.mtime = len(data), 0
    tar.addfile(info, io.BytesIO(data))
    return f"sha256:{digest}", len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True, help="full image reference, e.g. docker.io/library/leak-operator:dev")
    parser.add_argument("--output", required=True)
    parser.add_argument("--rootfs-file", action="append", default=[])
    parser.add_argument("--entrypoint")
    parser.add_argument("--user")
    args = parser.parse_args()

    config = {"Env": []}
    if args.entrypoint:
        config["Entrypoint"] = json.loads(args.entrypoint)
    if args.user:
        config["User"] = args.user
    if not any(e.startswith("PATH=") for e in config["Env"]):
        config["Env"].insert(0, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")

    raw = layer(args)
    compressed = gzip.compress(raw, compresslevel=1, mtime=0)
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    with tarfile.open(args.output, "w") as out:
        layer_digest, layer_size = blob(out, compressed)
        image_config = {
            "architecture": "amd64",
            "os": "linux",
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
        config_digest, config_size = blob(out, json.dumps(image_config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer_size}],
        }
        manifest_digest, manifest_size = blob(out, json.dumps(manifest).encode())
        index = {
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": manifest_size,
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {"io.containerd.image.name": args.name, "org.opencontainers.image.ref.name": args.name},
            }],
        }
        for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", json.dumps(index).encode())):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            out.addfile(info, io.BytesIO(data))
    print(f"{args.name}: layer {layer_size} bytes compressed, {len(raw)} bytes unpacked")


if __name__ == "__main__":
    main()
