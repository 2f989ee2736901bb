"""Runs: the run's state (state: one Status, one reducer), the run folder on disk (store),
starting and resuming a Trainer on one (launch), one trainer per folder across processes (lock),
and background jobs for the dashboard (jobs).

launch and jobs are imported by name, not here: they load the trainer, which itself uses
`state`, so importing them here would make the trainer import itself half-way."""
from .state import RunState, RunView, Status, reduce
from .store import Run, RunStore, default_runs_dir, validate_run_id

__all__ = ["RunState", "RunView", "Status", "reduce", "Run", "RunStore", "default_runs_dir",
           "validate_run_id"]
