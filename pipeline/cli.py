"""The `vanthu` command line: thin over the stages and the store."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline.errors import UsageError, VanthuError

if TYPE_CHECKING:
    from pipeline.model import Document
    from pipeline.store import Store

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
        help="A table for people; CSV or JSON for programs; XLSX (needs -o).",
    )(f)


def _output_option(f: F) -> F:
    return click.option(
        "--output",
        "-o",
        default=None,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of stdout.",
    )(f)


class _Group(click.Group):
    """Turns expected failures of any command into one line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VanthuError as err:
            click.echo(f"vanthu: {err}", err=True)
            ctx.exit(err.exit_code)
        except OSError as err:  # an output file that cannot be written, a full disk …
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"vanthu: {where}{err.strerror or err}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vanthu")
def cli() -> None:
    """OCR and extraction for scanned Vietnamese administrative documents."""


def _existing(path: Path) -> Path:
    """The path, if a file is there; naming a file that is not there is a usage error."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    return path


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def ocr(file: Path) -> None:
    """Print the OCR text of a PDF or image: one line per line, a form feed between pages."""
    from pipeline.ingest import ingest

    try:
        doc = ingest(_existing(file))
    except VanthuError as err:
        _fail(err)
    click.echo(doc.raw_text())


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def restore(file: str) -> None:
    """Restore Vietnamese diacritics in a text file (or - for stdin), line for line."""
    from pipeline.encoding import decode_text_with_note
    from pipeline.restore import restore_text

    try:
        data = sys.stdin.buffer.read() if file == "-" else _existing(Path(file)).read_bytes()
        text, note = decode_text_with_note(data, file)
    except VanthuError as err:
        _fail(err)
    if note:
        click.echo(f"vanthu: {note}", err=True)
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
        doc = process_file(_existing(file))
    except VanthuError as err:
        _fail(err)
    if full:
        click.echo(doc.to_json())
    elif as_json:
        click.echo(json.dumps(to_annotation(doc), ensure_ascii=False, indent=1))
    else:
        from pipeline.report import directives_table

        click.echo(directives_table(doc))


def _batch_options(f: F) -> F:
    """Options shared by `ingest` and `reprocess`: how to run a batch and report on it."""
    options = [
        click.option(
            "--jobs",
            default=1,
            show_default=True,
            type=int,
            help="Worker processes, documents processed in parallel (about one per core).",
        ),
        click.option(
            "--executor",
            type=click.Choice(["process", "serial", "dask"]),
            default="process",
            show_default=True,
            help="process: a pool of --jobs workers; serial: in this process (no time "
            "limit); dask: the cluster at --scheduler.",
        ),
        click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="Dask scheduler tcp://HOST:8786, or local:N for N local worker processes.",
        ),
        click.option(
            "--timeout",
            "page_timeout",
            default=300.0,
            show_default=True,
            type=float,
            metavar="SECONDS",
            help="Time allowed per page; a document over its pages' total fails (0: none).",
        ),
        click.option(
            "--report",
            default=None,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write a JSON run report (counts, durations, failures, stage versions).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _batch(
    jobs: int, executor: str, scheduler: str | None, page_timeout: float, report: Path | None
) -> Any:
    from pipeline.batch import BatchOptions

    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    if page_timeout < 0:
        raise UsageError(f"--timeout must not be negative, got {page_timeout}")
    if (executor == "dask") != (scheduler is not None):
        raise UsageError("--executor dask goes with --scheduler tcp://HOST:8786 or local:N")
    return BatchOptions(jobs, executor, scheduler, page_timeout or None, report)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
@click.option("--force", is_flag=True, help="Process files whose content is already stored.")
@_batch_options
def ingest(paths: tuple[Path, ...], db: str | None, force: bool, **batch: Any) -> None:
    """Process files (or folders of them) into the store; bad files are recorded (see
    `vanthu errors`) and the rest go on. Exit code 3 when some failed."""
    from pipeline.batch import ingest_paths

    report = ingest_paths(list(paths), db, force=force, options=_batch(**batch))
    sys.exit(report["exit_code"])


@cli.command()
@_db_option
@click.option(
    "--stage",
    type=click.Choice(["restore", "segment", "extract", "all", "ocr"]),
    default="all",
    show_default=True,
    help="Run this stage and the ones after it again; ocr reads the source files again.",
)
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Documents dated from then.")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Only documents whose FIELD (kind, type, issuer, number, path …) is VALUE; "
    "* matches any text. Repeat to narrow.",
)
@click.option("--failed", is_flag=True, help="Retry the open failures of the errors table.")
@click.option("--force", is_flag=True, help="Also documents whose stages are up to date.")
@click.option("--dry-run", is_flag=True, help="List what would be reprocessed, and stop.")
@_batch_options
def reprocess(
    db: str | None,
    stage: str,
    since: str | None,
    where: tuple[str, ...],
    failed: bool,
    force: bool,
    dry_run: bool,
    **batch: Any,
) -> None:
    """Run the text stages again from the stored OCR text, on documents whose stored stage
    versions are older than the code's. Corrected lines keep their text."""
    from pipeline import batch as batches

    options = _batch(**batch)
    conditions = batches.parse_where(where)
    day = batches.parse_day(since)
    if dry_run:
        from pipeline.store import open_store

        with open_store(db) as store:
            ids = batches.open_failures(store).doc_ids if failed else None
            chosen = batches.select_for_rerun(
                store, stage, since=day, where=conditions, force=force or failed, only_ids=ids
            )
        for c in chosen:
            click.echo(f"{c.doc_id}\t{c.path}\t{','.join(c.stages)}")
        return
    report = batches.reprocess(
        db, stage=stage, since=day, where=conditions, failed=failed, force=force, options=options
    )
    sys.exit(report["exit_code"])


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
@click.option("--limit", default=20, show_default=True, help="At most this many lines.")
@_output_option
@_format_option
def search(text: str, db: str | None, limit: int, output: Path | None, fmt: str) -> None:
    """Search stored lines, ignoring diacritics: `quang ngai` finds `Quảng Ngãi`."""
    from pipeline.report import emit
    from pipeline.store import open_store

    emit(open_store(db).search(text, limit=limit), fmt, output)


@cli.command()
@_db_option
@_output_option
@_format_option
def documents(db: str | None, output: Path | None, fmt: str) -> None:
    """List stored documents."""
    from pipeline.report import emit
    from pipeline.store import open_store

    emit(open_store(db).documents(), fmt, output)


@cli.command()
@_db_option
@click.option(
    "--unit", default=None, help="Only indicators counted in this unit (xã, %, tỷ đồng…)."
)
@click.option(
    "--since", default=None, metavar="YYYY-MM-DD", help="Only those as of this day or later."
)
@_output_option
@_format_option
def indicators(
    db: str | None, unit: str | None, since: str | None, output: Path | None, fmt: str
) -> None:
    """List indicators (figures reported in documents) with their document and line."""
    from pipeline.report import emit
    from pipeline.store import open_store

    emit(open_store(db).indicators(unit=unit, since=since), fmt, output)


@cli.command()
@click.argument("number", required=False)
@_db_option
@_output_option
@_format_option
def cites(number: str | None, db: str | None, output: Path | None, fmt: str) -> None:
    """Which stored documents cite NUMBER (e.g. 57-NQ/TW), and where; all citations
    without NUMBER."""
    from pipeline.report import emit
    from pipeline.store import open_store

    emit(open_store(db).cites(number), fmt, output)


@cli.command()
@_db_option
@_output_option
@_format_option
def errors(db: str | None, output: Path | None, fmt: str) -> None:
    """List files that failed to process, and why."""
    from pipeline.report import emit
    from pipeline.store import open_store

    emit(open_store(db).errors(), fmt, output)


_ITEMS = ("sections", "references", "deadlines", "directives", "indicators")


@cli.command()
@click.argument("doc")
@_db_option
@click.option("--text", "with_text", is_flag=True, help="Also print the text, line by line.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Readable sections, or the whole document model as JSON.",
)
def show(doc: str, db: str | None, with_text: bool, fmt: str) -> None:
    """Show one stored document: header, sections and extracted items with page and line.

    DOC is a document id (see `vanthu documents`) or a document number (3540/BC-SKHCN).
    """
    from pipeline.store import open_store

    store = open_store(db)
    document = store.load(_document_id(store, doc))
    if fmt == "json":
        click.echo(document.to_json())
        return
    click.echo(_show_text(document, with_text))


def _document_id(store: Store, doc: str) -> int:
    """The id DOC names: an id, or the number of exactly one stored document."""
    from pipeline.store.keys import number_key

    if doc.isdigit():
        return int(doc)
    frame = store.documents()
    key = number_key(doc)
    found = [
        int(i)
        for i, n in zip(frame["id"], frame["number"], strict=True)
        if n and number_key(n) == key
    ]
    if not found:
        raise UsageError(f"{doc}: no stored document has this number")
    if len(found) > 1:
        ids = ", ".join(map(str, found))
        raise UsageError(f"{doc}: several stored documents have this number (ids {ids})")
    return found[0]


def _show_text(doc: Document, with_text: bool) -> str:
    import pandas as pd

    from pipeline.report import table

    h = doc.header
    out = [f"{h.type or 'Document'} {h.number or '(no number)'}"]
    for name, value in h.model_dump(exclude={"type", "number", "anchor"}).items():
        if value:
            out.append(f"  {name}: {'; '.join(value) if isinstance(value, list) else value}")
    out.append(f"  source: {doc.source.path} ({doc.source.kind}, {len(doc.pages)} page(s))")
    for kind in _ITEMS:
        found = getattr(doc, kind)
        out.append(f"\n{kind} ({len(found)})")
        if found:
            rows = [
                {
                    "page": it.anchor.page,
                    "line": it.anchor.line,
                    **it.model_dump(exclude={"anchor"}),
                }
                for it in found
            ]
            out.append(table(pd.DataFrame(rows)))
    if with_text:
        out.append("\ntext")
        out.extend(
            f"{ln.page:>3} {ln.number:>4}{'*' if ln.revised else ' '} {ln.text}" for ln in doc.lines
        )
    return "\n".join(out)


@cli.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--token",
    envvar="VANTHU_TOKEN",
    default=None,
    help="Secret every correction must carry ($VANTHU_TOKEN); required off localhost.",
)
def serve(db: str | None, host: str, port: int, token: str | None) -> None:
    """Serve the web interface: documents beside their scans, corrections, directives."""
    from pipeline.web import serve as run_server

    run_server(db, host, port, token)


def main() -> None:
    """Entry point of the `vanthu` console script."""
    # Libraries' own warnings (pypdf: "EOF marker not found") would add lines to the
    # one-line error a user sees; the error itself says what is wrong.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("vanthu: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
