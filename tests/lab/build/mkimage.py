#!/usr/bin/env python3
"""Turn a directory tree into a docker-archive tarball (one layer).

The result is what `docker save` writes: `manifest.json`, an image config
JSON and an uncompressed layer tar. `docker load`, `skopeo copy
docker-archive:FILE ...` and `ctr images import` accept it. No daemon or
registry is needed.

Example:
  mkimage.py --root tree/ --output pause.tar --tag registry.k8s.io/pause:3.10.1 \
      --entrypoint '["/pause"]' --user 65535:65535
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

# Fixed timestamp for files and config so equal trees give equal digests.
DEFAULT_EPOCH = 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", required=True, help="directory that becomes / of the image")
    p.add_argument("--output", required=True, help="docker-archive tar to write")
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        required=True,
        help="image reference, e.g. registry.k8s.io/pause:3.10.1 (repeatable)",
    )
    p.add_argument("--entrypoint", help="JSON list")
    p.add_argument("--cmd", help="JSON list")
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE (repeatable)")
    p.add_argument("--user", default="")
    p.add_argument("--workdir", default="")
    p.add_argument("--label", action="append", default=[], help="KEY=VALUE (repeatable)")
    p.add_argument("--expose", action="append", default=[], help="PORT/PROTO (repeatable)")
    p.add_argument(
        "--epoch",
        type=int,
        default=int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)),
        help="mtime for all entries and the config's created field",
    )
    args = p.parse_args(argv)
    if not os.path.isdir(args.root):
        p.error(f"--root {args.root!r} is not a directory")
    for opt in ("entrypoint", "cmd"):
        val = getattr(args, opt)
        if val is not None:
            try:
                parsed = json.loads(val)
            except json.JSONDecodeError as exc:
                p.error(f"--{opt} must be a JSON list of strings: {exc}")
            if not isinstance(parsed, list) or not all(isinstance(x, str) for x in parsed):
                p.error(f"--{opt} must be a JSON list of strings")
            setattr(args, opt, parsed)
    for opt in ("env", "label"):
        for item in getattr(args, opt):
            if "=" not in item:
                p.error(f"--{opt} {item!r} must look like KEY=VALUE")
    return args


def docker_tag(ref: str) -> str:
    """Short form docker uses in RepoTags (docker.io/library/x -> x)."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def write_layer(root: str, dest, epoch: int) -> None:
    """Write `root` as an uncompressed tar with numeric owners and fixed mtimes."""

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mtime = epoch
        info.uname = ""
        info.gname = ""
        return info

    with tarfile.open(fileobj=dest, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(os.listdir(root)):
            # tarfile.add recurses in sorted order and keeps hard links.
            tar.add(os.path.join(root, name), arcname=name, recursive=True, filter=normalise)


def sha256_file(fileobj) -> tuple[str, int]:
    fileobj.seek(0)
    sha = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes, epoch: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = epoch
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)

    with tempfile.TemporaryFile(dir=out_dir) as layer_file:
        write_layer(args.root, layer_file, args.epoch)
        layer_file.flush()
        diff_id, layer_size = sha256_file(layer_file)

        created = datetime.datetime.fromtimestamp(args.epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        container_config: dict = {}
        if args.env:
            container_config["Env"] = args.env
        if args.entrypoint is not None:
            container_config["Entrypoint"] = args.entrypoint
        if args.cmd is not None:
            container_config["Cmd"] = args.cmd
        if args.user:
            container_config["User"] = args.user
        if args.workdir:
            container_config["WorkingDir"] = args.workdir
        if args.label:
            container_config["Labels"] = dict(item.split("=", 1) for item in args.label)
        if args.expose:
            container_config["ExposedPorts"] = {port: {} for port in args.expose}
        config = {
            "architecture": "amd64",
            "os": "linux",
            "created": created,
            "config": container_config,
            "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
            "history": [{"created": created, "created_by": "mkimage.py"}],
        }
        config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
        config_id = hashlib.sha256(config_bytes).hexdigest()
        repo_tags = [docker_tag(t) for t in args.tag]
        manifest = [
            {
                "Config": f"{config_id}.json",
                "RepoTags": repo_tags,
                "Layers": [f"{diff_id}/layer.tar"],
            }
        ]
        repositories: dict = {}
        for tag in repo_tags:
            repo, _, version = tag.rpartition(":")
            repositories.setdefault(repo, {})[version] = config_id

        tmp_out = args.output + ".tmp"
        with tarfile.open(tmp_out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            dir_info = tarfile.TarInfo(diff_id)
            dir_info.type = tarfile.DIRTYPE
            dir_info.mode = 0o755
            dir_info.mtime = args.epoch
            tar.addfile(dir_info)
            layer_file.seek(0)
            layer_info = tarfile.TarInfo(f"{diff_id}/layer.tar")
            layer_info.size = layer_size
            layer_info.mtime = args.epoch
            layer_info.mode = 0o644
            tar.addfile(layer_info, layer_file)
            add_bytes(tar, f"{config_id}.json", config_bytes, args.epoch)
            add_bytes(tar, "manifest.json", json.dumps(manifest).encode(), args.epoch)
            add_bytes(tar, "repositories", json.dumps(repositories).encode(), args.epoch)
        os.replace(tmp_out, args.output)

    print(
        f"{args.output}: {', '.join(args.tag)} layer sha256:{diff_id[:12]} "
        f"({layer_size // 1024} KiB) config sha256:{config_id[:12]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
