"""python -m gancore train | fork | list | resume | eval | animate | alerts, sample (cli_sample.py)
and the sharing commands (export | import | report: cli_share.py).

Every bad value is one line on stderr naming the field and what is allowed, exit code 2.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from .config import SETTINGS, TYPE_WORDS, Setting, TrainConfig, make_config
from .cli_sample import add_sample_parser, cmd_sample
from .cli_share import SHARE_COMMANDS, add_share_parsers
from .errors import CliError, ConfigError, GanError
from .registry import list_variants
from .data import list_datasets
from .health import Alert, parse_alerts
from .runs.store import RunStore
from .training.distributed import Ranks, leave

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's default prints the usage block too)
        print(f"error: {message} (see `python -m gancore {self.prog.split()[-1]} --help`)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _typed(name: str, kind: type):
    def parse(text: str):
        if kind is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
        else:
            try:
                return kind(text)
            except ValueError:
                pass
        raise argparse.ArgumentTypeError(f"--{name.replace('_', '-')} must be {TYPE_WORDS[kind]}, got {text!r}")
    parse.__name__ = kind.__name__
    return parse


_REGISTRIES = {"variant": list_variants, "dataset": list_datasets}  # the settings declared `picked`


def _flag_help(s: Setting) -> str:
    text = f"{s.help}; one of: {', '.join(_REGISTRIES[s.name]())}" if s.picked else s.help
    return text.replace("%", "%%")  # argparse %-formats help strings


def _metavar(s: Setting) -> str:
    if s.type is bool:
        return "true|false"
    values = [c for c in s.choices if c is not None]
    return "{" + ",".join(map(str, values)) + "}" if values else "X"


def _add_config_flags(p: argparse.ArgumentParser) -> None:
    """One flag per declared setting; default None means 'the variant's default for this dataset'.
    Values are judged by gancore.config (not argparse's choices), so a flag and a form field get
    the same message."""
    for s in sorted(SETTINGS.values(), key=lambda s: not s.picked):  # --variant, --dataset first
        p.add_argument(f"--{s.name.replace('_', '-')}", dest=s.name, type=_typed(s.name, s.type),
                       default=None, metavar=_metavar(s), help=_flag_help(s))


def _add_naming_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", default="", help="the run's name, shown wherever it is listed (the folder "
                                              "keeps its id)")
    p.add_argument("--note", default="", help="a free-text note about the run")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gancore", description="Train GANs and draw samples from them.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a new run")
    train.add_argument("--runs-dir", default=None, help="where run folders live (default: ./runs)")
    train.add_argument("--run-id", default=None, help="name of the run folder (default: generated)")
    train.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_naming_flags(train)
    _add_config_flags(train)

    fork = sub.add_parser("fork", help="start a new run from a kept checkpoint of a run, with changed "
                                       "settings (learning rates, batch size, steps, loss, ...)")
    fork.add_argument("--run", required=True, help="the parent run's folder")
    fork.add_argument("--checkpoint", default="latest.pt",
                      help="the parent's checkpoint to start from (e.g. step_0002000.pt)")
    fork.add_argument("--runs-dir", default=None, help="where the fork's folder goes (default: the parent's)")
    fork.add_argument("--quiet", action="store_true")
    _add_naming_flags(fork)
    _add_config_flags(fork)

    add_sample_parser(sub, _typed)

    ls = sub.add_parser("list", help="list runs")
    ls.add_argument("--runs-dir", default=None)

    resume = sub.add_parser("resume", help="continue a run from its latest checkpoint")
    resume.add_argument("--run", help="the run folder")
    # torchrun's own parser takes `--run` for its --run-path: under it, name the folder alone
    resume.add_argument("folder", nargs="?", help="the run folder, as --run says (for torchrun ... -m gancore "
                                                  "resume RUN)")
    resume.add_argument("--steps", type=_typed("steps", int), default=None, help="train this many more steps")
    resume.add_argument("--lr-scale", type=_typed("lr_scale", float), default=1.0,
                        help="multiply both learning rates (e.g. 0.5 after a divergence)")
    resume.add_argument("--batch-size", type=_typed("batch_size", int), default=None,
                        help="a new batch size (e.g. after running out of memory)")
    resume.add_argument("--checkpoint", default="latest.pt",
                        help="continue from this kept checkpoint (e.g. step_0002000.pt, to roll back "
                             "to before an alert); what was recorded after it is discarded")
    resume.add_argument("--quiet", action="store_true")
    evaluate = sub.add_parser("eval", help="measure a run's quality; prints JSON")
    evaluate.add_argument("--run", required=True, help="the run folder")
    evaluate.add_argument("--checkpoint", default="latest.pt", help="checkpoint file name")
    evaluate.add_argument("--device", default="auto")
    alerts = sub.add_parser("alerts", help="a run's health alerts: what went wrong, when, what to try")
    alerts.add_argument("--run", required=True, help="the run folder")
    animate = sub.add_parser("animate", help="write a run's progress pictures as an animated GIF")
    animate.add_argument("--run", required=True, help="the run folder")
    animate.add_argument("--out", required=True, help="FILE.gif")
    add_share_parsers(sub)
    return parser


# ---- commands --------------------------------------------------------------------------------
def _format_eta(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _run_in_foreground(trainer, run, quiet: bool) -> int:
    """Train with a progress line per log; Ctrl-C stops cleanly after the current step. `run`
    None: a rank other than 0 under torchrun."""
    total = trainer.cfg.steps
    last: dict = {}

    def progress(event):
        if event.kind == "diverged":  # nobody is here to press a button: stop, say what to do
            print(f"{event.data['message']}: python -m gancore resume --run {run.path} --lr-scale 0.5",
                  flush=True)
            trainer.stop()
            return
        if event.kind in ("stopped", "finished") and event.data.get("message"):
            print(event.data["message"], flush=True)
        if event.kind == "alert":
            print(_alert_line(Alert.from_dict(event.data["alert"])), flush=True)
        if event.kind != "metrics":
            return
        rec = event.data["record"]
        last.update(rec)
        if quiet:
            return
        rate = rec["images_per_s"] / trainer.cfg.batch_size  # steps/s
        eta = (total - rec["step"]) / rate if rate > 0 else 0
        unit = "pts/s" if trainer.info.kind == "points" else "img/s"  # the data's kind, not a name
        print(f"step {rec['step']}/{total}  {rec['images_per_s']:,.0f} {unit}  ETA {_format_eta(eta)}  "
              + _numbers(rec), flush=True)

    if run is not None:  # a rank other than 0 (run None) has nothing to say and nothing to write
        trainer.subscribe(progress)
    # Ctrl-C, and torchrun's SIGTERM to the ranks left when one of them ends: stop cleanly
    previous = {sig: signal.signal(sig, lambda *_: trainer.stop()) for sig in (signal.SIGINT, signal.SIGTERM)}
    status = None
    try:
        status = trainer.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        trainer.close()
        leave(wait_for_others=status in ("finished", "stopped"))
    if run is None:
        return 0 if status in ("finished", "stopped") else 1
    state = run.state()
    print(f"{state.status_words} at step {trainer.step}: {run.path}")
    if state.warnings:
        print(f"open alerts: {state.warnings} (python -m gancore alerts --run {run.path})")
    if last:
        print("final: " + _numbers(last, "{:.4g}") + f"  images_per_s {last['images_per_s']:.4g}")
    return 0 if status in ("finished", "stopped") else 1


SCORE_WORDS = {"d_real": "D(x)", "d_fake": "D(G(z))"}


def _alert_line(alert: Alert) -> str:
    if not alert.open:
        return f"alert over: {alert.summary()}"
    return f"ALERT: {alert.summary()}. Why it matters: {alert.words.why}. Try: {alert.words.advice}."


def _numbers(rec: dict, fmt: str = "{:.3f}") -> str:
    """A record's losses (loss_d, loss_g and the variant's own terms) and scores, as logged; a
    phase without scores (content-only steps) says its phase instead."""
    parts = [f"{k} {fmt.format(v)}" for k, v in rec.items() if k.startswith("loss_")]
    parts += [f"{SCORE_WORDS[k]} {fmt.format(rec[k])}" for k in SCORE_WORDS if k in rec]
    if rec.get("phase"):
        parts.append(f"({rec['phase']})")
    return "  ".join(parts)


def cmd_train(args) -> int:
    from .runs.launch import start_run
    from .training.lr_scaling import rates_words
    from .runs.meta import RunMeta, edited

    overrides = {name: getattr(args, name) for name in SETTINGS}
    base = TrainConfig().flat()  # variant and dataset: None means the dataclass default
    variant, dataset = overrides.pop("variant") or base["variant"], overrides.pop("dataset") or base["dataset"]
    cfg = make_config(variant, dataset, **overrides)
    store = RunStore(args.runs_dir)
    ranks = Ranks.from_env()
    trainer, run = start_run(cfg, store, args.run_id, meta=edited(RunMeta(), args.name, args.note), ranks=ranks)
    if run is None:  # a rank other than 0: trains, writes nothing
        return _run_in_foreground(trainer, None, quiet=True)
    print(f"run {run.run_id}  ({cfg.model.variant} on {cfg.data.dataset}, {cfg.steps} steps, "
          f"device {trainer.device}{_ranks_words(trainer)})", flush=True)
    if rates_words(cfg):
        print(rates_words(cfg), flush=True)
    return _run_in_foreground(trainer, run, args.quiet)


def _ranks_words(trainer) -> str:
    if trainer.ranks is None:
        return ""
    return (f", {trainer.ranks.world_size} processes: batch {trainer.cfg.batch_size} each, "
            f"{trainer.global_batch} a step")


def cmd_fork(args) -> int:
    from .runs.fork import plan_fork, start_fork

    if Ranks.from_env() is not None:
        raise CliError("fork: start a fork in one process, then continue it with torchrun ... resume --run FORK")
    parent = RunStore().open_path(args.run)
    changes = {name: getattr(args, name) for name in SETTINGS}
    plan = plan_fork(parent, args.checkpoint, changes)
    store = RunStore(args.runs_dir) if args.runs_dir else RunStore(parent.path.parent)
    trainer, run = start_fork(plan, store, meta=plan.meta(args.name, args.note))
    print(f"run {run.run_id}  (fork of {parent.run_id} at step {plan.step:,}, {plan.cfg.steps:,} steps, "
          f"device {trainer.device})", flush=True)
    return _run_in_foreground(trainer, run, args.quiet)


def cmd_resume(args) -> int:
    from .runs.launch import resume_rank, resume_run

    if (args.run is None) == (args.folder is None):
        raise CliError("run: name the run folder once, as --run RUN or as RUN alone (under torchrun: "
                       "torchrun ... -m gancore resume RUN)")
    ranks = Ranks.from_env()
    if ranks is not None and not ranks.main:  # rank 0 reads the run and hands it over
        return _run_in_foreground(resume_rank(ranks, "auto"), None, quiet=True)
    run = RunStore().open_path(args.run or args.folder)
    trainer, run = resume_run(run, args.steps, lr_scale=args.lr_scale, batch_size=args.batch_size,
                              checkpoint=args.checkpoint, ranks=ranks)
    print(f"resuming {run.run_id} at step {trainer.step} of {trainer.cfg.steps}{_ranks_words(trainer)}",
          flush=True)
    return _run_in_foreground(trainer, run, args.quiet)


def cmd_list(args) -> int:
    store = RunStore(args.runs_dir)
    rows = store.states()  # status.json and config.json only: no run's history is read
    if not rows:
        print(f"no runs in {store.root}")
        return 0
    width = max(44, *(len(r.label) + 1 for r in rows))
    print(f"{'run':<{width}} {'status':<22} {'variant':<8} {'dataset':<14} {'step':>13} {'loss_d':>7} "
          f"{'loss_g':>7}  warnings")
    for r in rows:
        ld, lg = r.last_metrics.get("loss_d"), r.last_metrics.get("loss_g")
        print(f"{r.label:<{width}} {r.status_words:<22} {r.variant:<8} {r.dataset:<14} {f'{r.step}/{r.total}':>13} "
              f"{'' if ld is None else f'{ld:.3f}':>7} {'' if lg is None else f'{lg:.3f}':>7}  {r.warnings}")
    return 0


def cmd_alerts(args) -> int:
    """A run's health alerts, open ones first, each with why it matters and what to try."""
    from .runs.remedies import remedies_for

    run = RunStore().open_path(args.run)
    alerts = parse_alerts(run.alerts())
    if not alerts:
        print(f"no alerts for {run.run_id}: nothing in its logged numbers looked wrong")
        return 0
    for alert in sorted(alerts, key=lambda a: (not a.open, a.since)):
        print(("OPEN   " if alert.open else "over   ") + alert.summary())
        print(f"       why it matters: {alert.words.why}")
        print(f"       try: {alert.words.advice}")
        for remedy in remedies_for(run, alert):
            print(f"       - {remedy.label}: {remedy.help}\n           {_remedy_command(run, remedy)}")
    return 0


def _remedy_command(run, remedy) -> str:
    """The command line that does what the remedy's button does."""
    if remedy.config is None:
        return (f"python -m gancore resume --run {run.path} --checkpoint {remedy.checkpoint} "
                "--lr-scale 0.5")
    cfg = remedy.config.flat()
    base = make_config(cfg["variant"], cfg["dataset"]).flat()
    flags = [f"--{k.replace('_', '-')} {cfg[k]}" for k in ("variant", "dataset")]
    flags += [f"--{k.replace('_', '-')} {v}" for k, v in cfg.items()
              if k not in ("variant", "dataset") and v != base.get(k) and v is not None]
    return "python -m gancore train " + " ".join(flags)


def cmd_eval(args) -> int:
    import json

    from .quality.evaluate import evaluate_run

    run = RunStore().open_path(args.run)
    print(json.dumps(evaluate_run(run, args.checkpoint, args.device), indent=2))
    return 0


def cmd_animate(args) -> int:
    from .runs.store import atomic_write_bytes
    from .sampling.animation import MAX_FRAMES, animation_gif

    out = Path(args.out)
    if out.suffix.lower() != ".gif":
        raise CliError(f"out: must end in .gif, got {args.out!r}")
    files = RunStore().open_path(args.run).sample_files()
    if not files:
        raise CliError(f"run: {args.run} has no pictures yet (the first is saved at its first sample step)")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, animation_gif(files))
    print(f"wrote {min(len(files), MAX_FRAMES)} frames (of {len(files)} pictures) to {out}")
    return 0


COMMANDS = {"train": cmd_train, "fork": cmd_fork, "sample": cmd_sample, "list": cmd_list, "resume": cmd_resume,
            "eval": cmd_eval, "animate": cmd_animate, "alerts": cmd_alerts}
COMMANDS.update(SHARE_COMMANDS)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"error: --{exc.field.replace('_', '-')}: {exc.message}", file=sys.stderr)
    except GanError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output was piped into something that stopped reading (head)
        return 0
    except Exception as exc:  # a bug, not a bad input: still one line unless debugging
        if os.environ.get("GANCORE_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set GANCORE_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1
    return EXIT_USAGE
