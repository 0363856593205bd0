"""Unit tests for mkimage.py: the archive layout docker load/skopeo rely on."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

MKIMAGE = Path(__file__).with_name("mkimage.py")


def build(tmp_path: Path, *extra: str) -> Path:
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "tool").write_text("#!/bin/sh\necho hi\n")
    (root / "bin" / "tool").chmod(0o755)
    os.symlink("tool", root / "bin" / "alias")
    out = tmp_path / "img.tar"
    subprocess.run(
        [sys.executable, str(MKIMAGE), "--root", str(root), "--output", str(out), *extra],
        check=True,
        capture_output=True,
    )
    return out


def read_member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    assert member is not None, name
    return member.read()


def test_archive_is_consistent(tmp_path: Path) -> None:
    out = build(
        tmp_path,
        "--tag", "docker.io/calico/node:v1",
        "--tag", "quay.io/calico/node:v1",
        "--entrypoint", '["/bin/tool"]',
        "--env", "PATH=/bin",
        "--user", "999",
    )  # fmt: skip
    with tarfile.open(out) as archive:
        manifest = json.loads(read_member(archive, "manifest.json"))
        assert len(manifest) == 1
        entry = manifest[0]
        assert entry["RepoTags"] == ["calico/node:v1", "quay.io/calico/node:v1"]
        config_bytes = read_member(archive, entry["Config"])
        assert hashlib.sha256(config_bytes).hexdigest() + ".json" == entry["Config"]
        config = json.loads(config_bytes)
        layer = read_member(archive, entry["Layers"][0])
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(layer).hexdigest()]
    assert config["config"]["Entrypoint"] == ["/bin/tool"]
    assert config["config"]["Env"] == ["PATH=/bin"]
    assert config["config"]["User"] == "999"
    assert config["architecture"] == "amd64"

    layer_path = tmp_path / "layer.tar"
    layer_path.write_bytes(layer)
    with tarfile.open(layer_path) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert members["bin/tool"].mode & 0o111
    assert members["bin/alias"].issym() and members["bin/alias"].linkname == "tool"
    assert all(m.mtime == 0 for m in members.values())


def test_same_tree_gives_same_digest(tmp_path: Path) -> None:
    first = build(tmp_path / "a", "--tag", "x/y:1")
    second = build(tmp_path / "b", "--tag", "x/y:1")
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()


@pytest.mark.parametrize("bad", ['"/bin/tool"', "[1]", "not json"])
def test_rejects_bad_entrypoint(tmp_path: Path, bad: str) -> None:
    with pytest.raises(subprocess.CalledProcessError) as err:
        build(tmp_path, "--tag", "x/y:1", "--entrypoint", bad)
    assert b"--entrypoint" in err.value.stderr
