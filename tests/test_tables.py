"""A run's metrics and quality as CSV (gancore/runs/tables.py): what is written reads back the
same; the CLI's `export --out FILE.csv`; the Runs page's two download buttons."""
from __future__ import annotations

import csv
import io
import math

import pytest

from app_pages import open_app
from gancore import RunError, RunStore, make_config
from gancore.cli import main
from gancore.runs.launch import start_run
from gancore.runs.tables import records_csv, run_csv

TINY = dict(device="cpu", hidden_dim=16, steps=200, batch_size=32, log_every=20, sample_every=100,
            num_samples=2000)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Two tiny finished ring8 runs: "measured" (one quality measurement, at its end) and "plain"
    (none)."""
    store = RunStore(tmp_path_factory.mktemp("table-runs"))
    for run_id, eval_every in (("measured", 200), ("plain", 0)):
        trainer, _ = start_run(make_config("vanilla", "ring8", eval_every=eval_every, **TINY), store, run_id)
        trainer.run()
    return store


def _read(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames, list(reader)


def _same_numbers(rows: list[dict], records: list[dict]) -> None:
    assert [int(row["step"]) for row in rows] == [r["step"] for r in records]
    for row, record in zip(rows, records):
        for key, value in record.items():
            if isinstance(value, (int, float)):
                assert float(row[key]) == value, (key, row[key], value)  # exact: Python writes repr


def test_a_runs_metrics_read_back_as_the_same_steps_and_numbers(store):
    records = store.open("measured").metrics()
    header, rows = _read(run_csv(store.open("measured"), "metrics"))
    assert header[0] == "step" and set(header) == {key for r in records for key in r}
    assert len(rows) == len(records) >= 10
    _same_numbers(rows, records)


def test_a_runs_quality_reads_back_too(store):
    records = store.open("measured").quality()
    header, rows = _read(run_csv(store.open("measured"), "quality"))
    assert len(records) == 1 and records[0]["step"] == 200 and header[0] == "step"
    _same_numbers(rows, records)
    assert _read(run_csv(store.open("plain"), "quality")) == (["step"], []), "no measurement: a header only"


def test_lists_become_columns_and_gaps_stay_empty_cells():
    records = [{"seconds": 1.5, "step": 100, "label_accuracy": 0.5, "per_class_accuracy": [0.25, 0.75, None]},
               {"step": 200, "error": "the judge could not be trained"},
               {"step": 300, "fcd": math.nan, "coverage": math.inf, "precision": -math.inf, "recall": None,
                "per_class_accuracy": [0.5, 1.0, 0.0]}]
    header, rows = _read(records_csv(records))
    assert header == ["step", "seconds", "label_accuracy", "per_class_accuracy_0", "per_class_accuracy_1",
                      "per_class_accuracy_2", "error", "fcd", "coverage", "precision", "recall"]
    assert [rows[0][f"per_class_accuracy_{i}"] for i in range(3)] == ["0.25", "0.75", ""]
    assert rows[1] == dict.fromkeys(header, "") | {"step": "200", "error": "the judge could not be trained"}
    assert [rows[2][k] for k in ("fcd", "coverage", "precision", "recall")] == ["nan", "inf", "-inf", ""]
    assert records_csv([]).splitlines() == ["step"]


def test_a_bad_table_name_is_refused_in_words(store):
    with pytest.raises(RunError, match="table: must be one of metrics, quality, got 'losses'"):
        run_csv(store.open("plain"), "losses")


def test_the_cli_writes_either_table_and_refuses_what_it_cannot_write(store, tmp_path, capsys):
    measured = str(store.open("measured").path)
    assert main(["export", "--run", measured, "--out", str(tmp_path / "m.csv")]) == 0
    assert (tmp_path / "m.csv").read_bytes().decode() == run_csv(store.open("measured"), "metrics"), "metrics: the default"
    assert main(["export", "--run", measured, "--out", str(tmp_path / "out" / "q.CSV"), "--table", "quality"]) == 0
    assert (tmp_path / "out" / "q.CSV").read_bytes().decode() == run_csv(store.open("measured"), "quality")
    assert "wrote" in capsys.readouterr().out

    refused = [
        (["--run", measured, "--out", str(tmp_path / "m.txt")],
         "out: must end in .zip (the run as a bundle) or .csv (one table), got"),
        (["--run", measured, "--out", str(tmp_path / "m2.csv"), "--table", "losses"],
         "table: must be one of metrics, quality, got 'losses'"),
        (["--run", str(store.open("plain").path), "--out", str(tmp_path / "p.csv"), "--table", "quality"],
         "run: plain has no quality records yet"),
        (["--run", measured, "--out", str(tmp_path / "m.zip"), "--table", "quality"],
         "table: only with a .csv --out"),
    ]
    for args, words in refused:
        assert main(["export", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["m.csv", "q.CSV"], "nothing else written"


def _csv_buttons(at) -> dict:
    return {b.label: b for b in at.get("download_button") if b.label.endswith("(.csv)")}


def test_the_runs_page_offers_both_tables_and_says_why_quality_is_not_there(store, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(store.root))
    at = open_app("views/runs.py", run="plain")
    assert not at.exception
    buttons = _csv_buttons(at)
    assert list(buttons) == ["Numbers (.csv)", "Quality (.csv)"]
    assert not buttons["Numbers (.csv)"].proto.disabled
    assert buttons["Quality (.csv)"].proto.disabled
    assert "no quality measurement yet" in buttons["Quality (.csv)"].proto.help

    at = open_app("views/runs.py", run="measured")
    assert not at.exception
    assert not any(b.proto.disabled for b in _csv_buttons(at).values())


def test_the_buttons_name_their_files_after_the_run_and_build_them_on_the_click(store):
    from dashboard.components.csv_buttons import csv_buttons

    class Row:  # stands in for the page's container: keeps what each button was given
        def __init__(self):
            self.buttons = {}

        def download_button(self, label, **kw):
            self.buttons[label] = kw

    row, run = Row(), store.open("measured")
    csv_buttons(row, run, run.state())
    numbers, quality = row.buttons["Numbers (.csv)"], row.buttons["Quality (.csv)"]
    assert (numbers["file_name"], quality["file_name"]) == ("measured-metrics.csv", "measured-quality.csv")
    assert numbers["on_click"] == quality["on_click"] == "ignore" and callable(numbers["data"])
    assert numbers["data"]().decode() == run_csv(run, "metrics") and quality["data"]().decode() == run_csv(run, "quality")
