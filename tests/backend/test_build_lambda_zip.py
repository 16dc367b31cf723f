"""backend/build_lambda_zip.py: a reproducible Lambda zip (hhl_backend + arm64 runtime deps, no boto3).

The first build needs PyPI once (the wheels are cached in dist/.deps-cache); later runs are offline.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_packaging() -> ModuleType:
    # Loaded under its own name: `import packaging` would collide with the PyPI `packaging` distribution.
    spec = importlib.util.spec_from_file_location("hhl_packaging", REPO / "backend" / "build_lambda_zip.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


packaging = _load_packaging()


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first = packaging.build_package(tmp_path_factory.mktemp("build1"))
    second = packaging.build_package(tmp_path_factory.mktemp("build2"))
    return first, second


def test_two_builds_are_byte_identical(two_builds: tuple[Path, Path]) -> None:
    first, second = two_builds
    assert first.name == second.name == f"hhl_backend-{packaging.backend_version()}.zip"
    assert packaging.sha256_of(first) == packaging.sha256_of(second)


def test_entries_are_sorted_with_fixed_metadata(two_builds: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(two_builds[0]) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o644}
    assert not [name for name in names if name.endswith((".pyc", ".pyo")) or "__pycache__" in name]


def test_contains_the_backend_and_its_catalog(two_builds: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(two_builds[0]) as archive:
        names = set(archive.namelist())
    source = REPO / "backend" / "hhl_backend"
    expected = {
        f"hhl_backend/{path.relative_to(source).as_posix()}"
        for path in source.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert expected <= names
    assert any(name.startswith("hhl_backend/content/") and name.endswith(".json") for name in names)


def test_runtime_dependencies_are_arm64_and_boto3_is_left_out(two_builds: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(two_builds[0]) as archive:
        names = archive.namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    assert {"starlette", "mangum", "jwt", "cryptography", "httpx", "aws_lambda_powertools", "tenacity"} <= top_level
    assert not {"boto3", "botocore", "s3transfer"} & top_level
    native = [name for name in names if name.endswith(".so")]
    assert native and all("aarch64" in name or "abi3" in name for name in native)
    assert not [name for name in native if "x86_64" in name]


def test_requirements_are_pinned_to_the_venv() -> None:
    requirements = packaging.runtime_requirements()
    assert [r.split("==", 1)[0] for r in requirements] == sorted(packaging.RUNTIME_PACKAGES)
    assert all("==" in r for r in requirements)
    assert not [r for r in requirements if r.startswith("boto")]


def test_download_failure_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An index that refuses connections, and an empty cache: pip cannot get anything.
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    with pytest.raises(packaging.PackagingError) as caught:
        packaging.build_package(tmp_path / "out", cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith("cannot download the Lambda runtime dependencies (manylinux2014_aarch64, python 3.12)")
    assert str(tmp_path / "cache") in message
    assert not (tmp_path / "out").exists()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []  # no half-written cache entry


def test_main_prints_path_and_sha256(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert packaging.main(["--out-dir", str(tmp_path)]) == 0
    path_line, sha_line = capsys.readouterr().out.splitlines()
    assert Path(path_line).parent == tmp_path
    assert sha_line == f"sha256 {packaging.sha256_of(Path(path_line))}"


# What the python3.12 Lambda runtime itself provides (boto3 and its dependencies), taken from this venv.
LAMBDA_RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
_IMPORT_PROBE = """
import importlib, json, sys
sys.path[:0] = sys.argv[1:3]
for name in ("hhl_backend.crm.handler", "hhl_backend.crm.provision_properties"):
    importlib.import_module(name)
third_party = [n for n in sys.modules if n.split(".")[0] not in sys.stdlib_module_names]
files = {n: getattr(sys.modules[n], "__file__", None) for n in third_party}
print(json.dumps(files))
"""


def test_the_crm_consumer_imports_from_the_zip_alone(two_builds: tuple[Path, Path], tmp_path: Path) -> None:
    """The consumer's Lambda handler imports with nothing but the zip's files and the runtime's boto3 on the path
    (`-S`: no site-packages of this venv), so every runtime dependency it needs is in RUNTIME_PACKAGES."""
    unpacked, runtime = tmp_path / "zip", tmp_path / "runtime"
    with zipfile.ZipFile(two_builds[0]) as archive:
        archive.extractall(unpacked)
    runtime.mkdir()
    for name in LAMBDA_RUNTIME_PACKAGES:
        source = Path(importlib.import_module(name).__file__)
        source = source.parent if source.name == "__init__.py" else source
        (runtime / source.name).symlink_to(source)
    probe = subprocess.run(
        [sys.executable, "-S", "-c", _IMPORT_PROBE, str(unpacked), str(runtime)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    files = json.loads(probe.stdout)
    assert "aws_lambda_powertools" in files and "tenacity" in files and "httpx" in files
    outside = {
        name: path for name, path in files.items() if path and not path.startswith((str(unpacked), str(runtime)))
    }
    assert outside == {}
