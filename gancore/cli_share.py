"""python -m gancore export | import | report: a run leaves this GAN Studio as a bundle (.zip)
another one imports, as a table (.csv), or as a report (.html) anyone can open."""
from __future__ import annotations

from pathlib import Path

from .errors import CliError
from .runs.store import RunStore, atomic_write_bytes


def add_share_parsers(sub) -> None:
    export = sub.add_parser("export", help="write a run as a bundle (.zip) another GAN Studio imports, read-only, "
                                           "or its metrics or quality as a table (.csv)")
    export.add_argument("--run", required=True, help="the run folder")
    export.add_argument("--out", required=True, help="FILE.zip (the run as a bundle) or FILE.csv (one table)")
    export.add_argument("--table", default=None, metavar="{metrics,quality}",
                        help="with a .csv --out: the logged numbers (metrics, the default) or the quality "
                             "measurements (quality)")
    report = sub.add_parser("report", help="write one run, or 2-6 runs compared, as one HTML file that "
                                           "opens offline in any browser")
    report.add_argument("--run", required=True, action="append", help="the run folder; repeat it (2-6 runs) "
                        "for a comparison")
    report.add_argument("--out", required=True, help="FILE.html")
    imports = sub.add_parser("import", help="import a run bundle (.zip) as a read-only run")
    imports.add_argument("bundle", help="the bundle file, FILE.zip")
    imports.add_argument("--runs-dir", default=None, help="where run folders live (default: ./runs)")


def _write(out: Path, data: bytes, what: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)
    print(f"wrote {out} ({what})")


def cmd_export(args) -> int:
    from .runs.bundle import export_bundle
    from .runs.tables import records_csv, table_records

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".zip", ".csv"):
        raise CliError(f"out: must end in .zip (the run as a bundle) or .csv (one table), got {args.out!r}")
    if kind == ".zip" and args.table is not None:
        raise CliError("table: only with a .csv --out (a .zip holds the whole run)")
    run = RunStore().open_path(args.run)
    if kind == ".csv":
        table = args.table or "metrics"
        records = table_records(run, table)
        if not records:  # a file of just a header would look like a broken export
            raise CliError(f"run: {run.run_id} has no {table} records yet")
        data, size = records_csv(records).encode("utf-8"), f"{len(records):,} rows of {table}"
    else:
        data = export_bundle(run)
        size = f"{len(data) / 2**20:.1f} MB"
    _write(out, data, size)
    return 0


def cmd_report(args) -> int:
    from .report import report

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise CliError(f"out: must end in .html, got {args.out!r}")
    store = RunStore()
    text = report([store.open_path(path) for path in args.run]).encode("utf-8")
    _write(out, text, f"{len(text) / 2**20:.1f} MB")
    return 0


def cmd_import(args) -> int:
    from .data.uploads import UploadLimits
    from .runs.bundle import import_bundle

    source = Path(args.bundle)
    if not source.is_file():
        raise CliError(f"bundle: no such file {args.bundle!r}")
    run = import_bundle(source.read_bytes(), RunStore(args.runs_dir), UploadLimits.from_env())
    print(f"imported {run.run_id} (read-only): {run.path}")
    return 0


SHARE_COMMANDS = {"export": cmd_export, "import": cmd_import, "report": cmd_report}
