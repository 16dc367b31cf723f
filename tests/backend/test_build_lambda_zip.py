"""backend/build_lambda_zip.py: a reproducible Lambda zip (hhl_backend + arm64 runtime deps, no boto3).

The first build needs PyPI once (the wheels are cached in dist/.deps-cache); later runs are offline.
"""

from __future__ import annotations

import importlib.util
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
    assert {"starlette", "mangum", "jwt", "cryptography", "httpx"} <= top_level
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
