"""Batch ingest: many files into the store, one transaction per document."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import InputFileError, VanthuError
from pipeline.ingest import sha256_of

_SKIP_SUFFIXES = {".json", ".md"}


def expand(paths: list[Path]) -> Iterator[Path]:
    """Files named, and the files inside folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from (
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.name.startswith(".") and p.suffix not in _SKIP_SUFFIXES
            )
        else:
            yield path


def ingest_paths(paths: list[Path], db: str | None, *, force: bool = False, jobs: int = 1) -> int:
    """Process and store every file; returns how many failed (each reported on one line)."""
    from pipeline.run import process_file
    from pipeline.store import open_store

    store = open_store(db)
    files = list(expand(paths))
    failed = 0
    for i, path in enumerate(files, start=1):
        prefix = f"[{i}/{len(files)}] {path}"
        try:
            if not path.exists():
                raise InputFileError(str(path), "no such file")
            if not force and path.is_file() and store.has_source(sha256_of(path)):
                print(f"{prefix}: already stored, skipped", file=sys.stderr)
                continue
            doc = process_file(path)
            store.save(doc)
            print(
                f"{prefix}: {len(doc.pages)} page(s), {len(doc.directives)} directive(s)",
                file=sys.stderr,
            )
        except VanthuError as err:
            failed += 1
            store.record_error(str(path), str(err))
            print(f"vanthu: {err}", file=sys.stderr)
    return failed
