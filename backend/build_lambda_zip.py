"""Build the Lambda deployment zip: hhl_backend plus its runtime dependencies for python3.12 on arm64 (SPEC §6).

    .venv/bin/python backend/packaging.py          # what `make package` runs; prints the zip path and its sha256

The zip is reproducible: entries sorted, fixed timestamps and permissions, no bytecode, so two builds of the same tree
have the same sha256. Dependencies are the versions pinned by this venv, installed as manylinux2014_aarch64 wheels and
cached in dist/.deps-cache/<key of the requirement set>, so re-runs are fast and work offline. boto3/botocore are left
out: the Lambda runtime provides them.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

__all__ = [
    "PackagingError",
    "build_package",
    "main",
    "runtime_requirements",
    "sha256_of",
]

BACKEND_DIR = Path(__file__).resolve().parent
SOURCE_DIR = BACKEND_DIR / "hhl_backend"
DIST_DIR = BACKEND_DIR.parent / "dist"
PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.12"
# The runtime dependencies of hhl_backend (pyproject.toml), without boto3: the Lambda runtime ships it.
RUNTIME_PACKAGES = (
    "starlette",
    "mangum",
    "pyjwt[crypto]",
    "cryptography",
    "httpx",
    # The CRM sync consumer (hhl_backend.crm): partial batch responses and HubSpot retries (SPEC §7).
    "aws-lambda-powertools",
    "tenacity",
)
EXCLUDED_TOP_LEVEL = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "bin", "__pycache__"})
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest timestamp a zip can hold
_FILE_MODE = 0o644 << 16
_COMPLETE_MARKER = ".complete"


class PackagingError(Exception):
    """The package could not be built; the message says what to do."""


def runtime_requirements() -> list[str]:
    """`name==version` for each runtime package, pinned to what this venv runs (so tests and Lambda agree)."""
    pinned = []
    for requirement in RUNTIME_PACKAGES:
        name = requirement.split("[", 1)[0]
        try:
            pinned.append(f"{requirement}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise PackagingError(f"{name} is not installed in this venv: run `make venv`") from None
    return sorted(pinned)


def backend_version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"', (SOURCE_DIR / "__init__.py").read_text(encoding="utf-8"), re.M)
    if match is None:
        raise PackagingError(f"no __version__ in {SOURCE_DIR / '__init__.py'}")
    return match.group(1)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_key(requirements: Sequence[str]) -> str:
    material = "\n".join([PLATFORM, PYTHON_VERSION, *sorted(requirements)])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def vendored_dependencies(requirements: Sequence[str], cache_dir: Path) -> Path:
    """The directory holding the installed arm64 wheels for `requirements`, installing them on a cache miss."""
    target = cache_dir / _cache_key(requirements)
    if (target / _COMPLETE_MARKER).is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache_dir))
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(staging),
        "--platform",
        PLATFORM,
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--only-binary=:all:",
        *requirements,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        detail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise PackagingError(
            f"cannot download the Lambda runtime dependencies ({PLATFORM}, python {PYTHON_VERSION}) from the package "
            f"index: pip exited {completed.returncode}: {detail}. Connect to PyPI once; later builds reuse {cache_dir}."
        )
    (staging / _COMPLETE_MARKER).write_text("\n".join(requirements) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)  # a half-written entry from an interrupted run
    staging.rename(target)
    return target


def _files(root: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """(archive name, file) for every shippable file under root: no bytecode, caches or excluded packages."""
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or "__pycache__" in relative.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        if relative.parts[0] in EXCLUDED_TOP_LEVEL or relative.name == _COMPLETE_MARKER:
            continue
        if relative.parts[0].split("-", 1)[0].lower() in EXCLUDED_TOP_LEVEL:  # their *.dist-info too
            continue
        yield prefix + relative.as_posix(), path


def write_reproducible_zip(entries: dict[str, Path], destination: Path) -> None:
    """Write entries sorted by name with fixed metadata, so identical inputs give identical bytes."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.external_attr = _FILE_MODE
            info.create_system = 3  # unix, whatever the build host
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name].read_bytes(), compresslevel=9)
    partial.replace(destination)


def build_package(
    out_dir: Path = DIST_DIR,
    *,
    cache_dir: Path | None = None,
    requirements: Sequence[str] | None = None,
) -> Path:
    """Build dist/hhl_backend-<version>.zip and return its path."""
    requirements = list(requirements) if requirements is not None else runtime_requirements()
    dependencies = vendored_dependencies(requirements, cache_dir or DIST_DIR / ".deps-cache")
    entries = dict(_files(dependencies))
    backend_entries = dict(_files(SOURCE_DIR, prefix="hhl_backend/"))
    clashes = sorted(set(entries) & set(backend_entries))
    if clashes:
        raise PackagingError(f"a dependency ships files inside hhl_backend/: {clashes[:3]}")
    entries.update(backend_entries)
    destination = out_dir / f"hhl_backend-{backend_version()}.zip"
    write_reproducible_zip(entries, destination)
    return destination


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DIST_DIR, help="where the zip goes (default: dist/)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="dependency cache (default: dist/.deps-cache)")
    args = parser.parse_args(argv)
    try:
        path = build_package(args.out_dir, cache_dir=args.cache_dir)
    except PackagingError as exc:
        print(f"packaging failed: {exc}", file=sys.stderr)
        return 1
    print(f"{path}\nsha256 {sha256_of(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
