"""The `vanthu` command line: thin over the stages and the store."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline.errors import UsageError, VanthuError

F = TypeVar("F", bound=Callable[..., Any])


def _fail(err: VanthuError) -> None:
    click.echo(f"vanthu: {err}", err=True)
    sys.exit(err.exit_code)


def _db_option(f: F) -> F:
    return click.option(
        "--db",
        "db",
        default=None,
        metavar="URL",
        help="Store: a SQLite path or SQLAlchemy URL (default: $VANTHU_DB or ./vanthu.db).",
    )(f)


def _format_option(f: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json", "xlsx"]),
        default="table",
        show_default=True,
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vanthu")
def cli() -> None:
    """OCR and extraction for scanned Vietnamese administrative documents."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def ocr(file: Path) -> None:
    """Print the OCR text of a PDF or image: one line per line, a form feed between pages."""
    from pipeline.ingest import ingest

    try:
        doc = ingest(file)
    except VanthuError as err:
        _fail(err)
    click.echo(doc.raw_text())


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def restore(file: str) -> None:
    """Restore Vietnamese diacritics in a text file (or - for stdin), line for line."""
    from pipeline.encoding import decode_text
    from pipeline.restore import restore_text

    try:
        if file == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise UsageError(f"{file}: no such file")
            data = path.read_bytes()
        text = decode_text(data, file)
    except VanthuError as err:
        _fail(err)
    sys.stdout.write(restore_text(text))
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the annotation JSON.")
@click.option("--full", is_flag=True, help="Print the whole document model as JSON.")
def extract(file: Path, as_json: bool, full: bool) -> None:
    """Run every stage on FILE (PDF, image or text) and print what was extracted."""
    from pipeline.annotation import to_annotation
    from pipeline.run import process_file

    try:
        doc = process_file(file)
    except VanthuError as err:
        _fail(err)
    if full:
        click.echo(doc.to_json())
    elif as_json:
        click.echo(json.dumps(to_annotation(doc), ensure_ascii=False, indent=1))
    else:
        from pipeline.report import directives_table

        click.echo(directives_table(doc))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
@click.option("--force", is_flag=True, help="Process files whose content is already stored.")
@click.option("--jobs", default=1, show_default=True, help="Documents processed in parallel.")
def ingest(paths: tuple[Path, ...], db: str | None, force: bool, jobs: int) -> None:
    """Process files (or folders of them) into the store; bad files are reported and skipped."""
    from pipeline.batch import ingest_paths

    try:
        failed = ingest_paths(list(paths), db, force=force, jobs=jobs)
    except VanthuError as err:
        _fail(err)
    sys.exit(3 if failed else 0)


@cli.command()
@_db_option
@click.option("--responsible", default=None, help="Agency that must act (any spelling).")
@click.option("--due-before", default=None, metavar="YYYY-MM-DD")
@click.option("--overdue", is_flag=True, help="Only directives past their deadline.")
@click.option("--output", "-o", default=None, type=click.Path(path_type=Path))
@_format_option
def tasks(
    db: str | None,
    responsible: str | None,
    due_before: str | None,
    overdue: bool,
    output: Path | None,
    fmt: str,
) -> None:
    """List directives: who must do what, by when, from which document and line."""
    from pipeline.report import emit
    from pipeline.store import open_store

    try:
        frame = open_store(db).tasks(
            responsible=responsible, due_before=due_before, overdue=overdue
        )
        emit(frame, fmt, output)
    except VanthuError as err:
        _fail(err)


@cli.command()
@click.argument("text")
@_db_option
@click.option("--limit", default=20, show_default=True)
@_format_option
def search(text: str, db: str | None, limit: int, fmt: str) -> None:
    """Search stored lines, ignoring diacritics: `quang ngai` finds `Quảng Ngãi`."""
    from pipeline.report import emit
    from pipeline.store import open_store

    try:
        emit(open_store(db).search(text, limit=limit), fmt, None)
    except VanthuError as err:
        _fail(err)


@cli.command()
@_db_option
@_format_option
def documents(db: str | None, fmt: str) -> None:
    """List stored documents."""
    from pipeline.report import emit
    from pipeline.store import open_store

    try:
        emit(open_store(db).documents(), fmt, None)
    except VanthuError as err:
        _fail(err)


def main() -> None:
    """Entry point of the `vanthu` console script."""
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("vanthu: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
