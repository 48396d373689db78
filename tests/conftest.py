"""Shared fixtures: paths to the dev corpus and the bundled samples."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))  # fixture modules beside this file import by plain name

pytest_plugins = ["conftest_pg"]

DEV = REPO.parent / "shared" / "corpus" / "dev"


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    if not DEV.exists():
        pytest.skip("the shared dev corpus is not beside the repository")
    return DEV


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return REPO / "corpus" / "samples"
