#!/usr/bin/env python3
"""Writes a one-layer OCI image-layout tar (what `ctr images import` reads) from files on this machine.

No registry is reachable from these machines and no Docker engine runs here, so the node's images are assembled
from local files: --rootfs DIR copies a folder's tree to /, --rootfs-file SRC:DEST one file (both repeatable).
The image config comes from the flags, or from a Dockerfile stage (--dockerfile PATH: WORKDIR, USER, ENV, EXPOSE,
ENTRYPOINT and CMD of its last stage), so the image runs as its Dockerfile declares. Entries are owned by root with
mtime 0, so the same files give the same image.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shlex
import tarfile


def dockerfile_config(path):
    """The runtime config the last stage of a Dockerfile declares."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"\\\n", " ", text)  # line continuations
    config = {"Env": [], "ExposedPorts": {}}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word, rest = word.upper(), rest.strip()
        if word == "FROM":
            config = {"Env": [], "ExposedPorts": {}}
        elif word == "WORKDIR":
            config["WorkingDir"] = rest
        elif word == "USER":
            config["User"] = rest
        elif word == "ENV":
            for pair in shlex.split(rest):
                config["Env"].append(pair)
        elif word == "EXPOSE":
            for port in rest.split():
                config["ExposedPorts"][port if "/" in port else port + "/tcp"] = {}
        elif word in ("ENTRYPOINT", "CMD"):
            config["Entrypoint" if word == "ENTRYPOINT" else "Cmd"] = json.loads(rest)
    return config


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
        for root in args.rootfs:
            for directory, dirs, files in os.walk(root):
                dirs.sort()
                for name in sorted(dirs) + sorted(files):
                    source = os.path.join(directory, name)
                    add(tar, source, os.path.relpath(source, root), seen)
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
    parser.add_argument("--rootfs", action="append", default=[])
    parser.add_argument("--rootfs-file", action="append", default=[])
    parser.add_argument("--dockerfile")
    parser.add_argument("--entrypoint")
    parser.add_argument("--user")
    args = parser.parse_args()

    config = dockerfile_config(args.dockerfile) if args.dockerfile else {"Env": []}
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
