"""The training loop: builds everything from a TrainConfig, runs TwoPhaseStep, emits events.

Listeners (the run store, a live job buffer, the CLI's progress line) subscribe with
`trainer.subscribe(fn)`; the trainer knows none of them. Events, in order:
  started -> (metrics | samples | checkpoint | quality | alert | paused | diverged | resumed)*
    -> finished | stopped | failed
"alert" events open or close a health alert (gancore/health), from the logged numbers alone.
"quality" events carry measurements made beside training (quality/live.py); their step is the step
the generator was measured at, a little behind the trainer's, and the last one measures the end.
With g_ema_decay the pictures and measurements use the generator's averaged weights (ema.py);
with stop_at_quality the run ends as finished at the first measurement that reaches it
(quality/target.py), every rank at one step as a stop request does.
A NaN/inf pauses the run as "diverged" (no checkpoint of broken weights is ever saved); running
out of GPU memory stops it with the batch size that fits.
Pause, resume and stop are requested from any thread and take effect between two steps.
Under torchrun (training/distributed.py) every rank runs this loop; rank 0's listeners write the
run, and its pause and stop reach the other ranks at the next log step, so all act at one step.
"""
from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from ..config import TrainConfig, check_data_fits, validate
from ..errors import ConfigError
from ..data import Dataset, DataInfo, load_dataset
from ..health import Alert, HealthContext, HealthWatch
from .device import resolve_device
from .control import Control
from .distributed import Ranks, average_, join, lost_peer_words, parallel, rank_seed
from ..quality.live import SideEvaluator
from ..quality.measures import measure_for
from ..quality.target import target_of
from .augment import augment_of
from .ema import GeneratorEMA
from .lr_scaling import scaled_rates
from .checkpoint_state import restore, state_of
from .engine import prepare_data, prepare_networks, resolve_engine
from ..registry import create_gan, get_variant_spec, is_conditional
from ..runs.state import Status, quality_record
from .step import StepResult, TwoPhaseStep, grad_norm, largest_fitting_batch

# A fresh run also logs at this step (when log_every is larger), so that the first chart point
# comes after a few steps rather than after a whole log_every window.
FIRST_LOG_STEP = 10


@dataclass
class Event:
    kind: str  # started, metrics, samples, checkpoint, quality, alert, paused, diverged, resumed,
    # finished, stopped, failed
    step: int
    data: dict = field(default_factory=dict)


class Trainer:
    def __init__(self, cfg: TrainConfig, dataset: Dataset | None = None,
                 checkpoint: dict | None = None, ranks: Ranks | None = None):
        """`dataset` may be passed in when already loaded (tests, benchmarks); `checkpoint` is a
        state from `checkpoint_state()` to continue from (same config, bar `steps`); `ranks`:
        this process's place among torchrun's (None: training alone)."""
        self.cfg = validate(cfg)
        self.ranks = ranks
        if ranks is not None and cfg.compile:
            raise ConfigError("compile", "is not supported with several processes yet: leave it off under torchrun")
        self.device = resolve_device(cfg.device)
        if ranks is not None:
            self.device = join(ranks, self.device)
        torch.manual_seed(cfg.seed)  # model init and the gradient penalty's mixing weights
        data = dataset if dataset is not None else load_dataset(cfg.data, cfg.seed)
        self.source_data = data  # as loaded (CPU): what quality measures compare against
        self.data = data.to(self.device)
        self.info: DataInfo = data.info
        check_data_fits(cfg, self.info)
        self.gan = create_gan(cfg, self.info)
        self.gan.generator.to(self.device)
        self.gan.discriminator.to(self.device)
        self.conditional = is_conditional(cfg)
        # batches and noise: each rank its own stream (rank 0's is a one-process run's)
        self.rng = torch.Generator(self.device).manual_seed(rank_seed(cfg.seed + 1, ranks))

        self.engine = resolve_engine(cfg, self.device, [self.gan.generator, self.gan.discriminator])
        g_call, d_call = prepare_networks(self.engine, self.gan.generator, self.gan.discriminator)
        if ranks is not None:  # gradients averaged over the ranks (and SyncBatchNorm on CUDA)
            g_call, d_call = parallel(self.gan.generator, self.device), parallel(self.gan.discriminator, self.device)
        self.data.x = prepare_data(self.engine, self.data.x)

        fused = {"fused": True} if self.device.type == "cuda" else {"foreach": True}
        betas, self.base_lr = (cfg.beta1, cfg.beta2), scaled_rates(cfg)  # (lr_g, lr_d), lr_scaling.py
        self.opt_g = torch.optim.Adam(self.gan.generator.parameters(), self.base_lr[0], betas=betas, **fused)
        self.opt_d = torch.optim.Adam(self.gan.discriminator.parameters(), self.base_lr[1], betas=betas, **fused)
        self.step_fn = TwoPhaseStep(self.gan, self.opt_g, self.opt_d, cfg.n_critic, cfg.model.gp_lambda,
                                    g_call, d_call, self.engine.autocast,
                                    d_local=self.gan.discriminator if ranks is not None else None,
                                    r1_gamma=cfg.model.r1_gamma, augment=augment_of(cfg.diffaugment))

        # Fixed preview inputs (noise and one row per class; held-out low-resolution images), so
        # successive pictures show the same samples improving (sampling/previews.py).
        self.preview = get_variant_spec(cfg.model.variant).preview(
            self.gan.generator, self.data, self.conditional, self.device, cfg.seed)
        self._spread: float | None = None  # the last picture's sample spread, until logged
        # Health alerts from the logged numbers (gancore/health); emitted as "alert" events.
        self.health = HealthWatch(HealthContext.of(cfg.steps, self.gan))
        self.ema = GeneratorEMA(self.gan.generator, cfg.g_ema_decay) if cfg.g_ema_decay > 0 else None
        self.target = target_of(cfg)
        self.reached: str | None = None  # the target's message, once a measurement reached it
        self.step = 0
        self.diverged_at: int | None = None
        if checkpoint is not None:
            restore(self, checkpoint)

        self.evaluator: SideEvaluator | None = None  # made by run() when quality is measured
        self._listeners: list[Callable[[Event], None]] = []
        self.control = Control(ranks, self.device)  # pause, resume, stop (training/control.py)
        self.status = Status.CREATED

    # ---- control, from any thread -------------------------------------------------------------
    def subscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def stop(self) -> None:
        self.control.stop()

    def take_requests_from(self, source: Callable[[], str | None]) -> None:
        """Pause / resume / stop asked by another process (runs/requests.py); see Control."""
        self.control.take_requests_from(source)

    def _emit(self, kind: str, **data) -> None:
        event = Event(kind, self.step, data)
        for listener in self._listeners:
            listener(event)

    def _become(self, status: Status, kind: str | None = None, **data) -> None:
        """Announce a change of status, then take it: whoever sees `self.status` change (another
        thread polling it) finds the listeners (status.json, the job) already told. The event's
        kind is the status's name unless given ("started" and "resumed" both become running)."""
        self._emit(kind or status.value, **data)
        self.status = status

    # ---- the loop -----------------------------------------------------------------------------
    def _lr_factor(self) -> float:
        """Linear decay to 0 over the run when cfg.lr_decay (sharper modes at the end)."""
        return 1.0 - self.step / self.cfg.steps if self.cfg.lr_decay else 1.0

    def _set_lr(self) -> None:
        factor = self._lr_factor()
        for opt, base in zip((self.opt_g, self.opt_d), self.base_lr):
            for group in opt.param_groups:
                group["lr"] = base * factor

    @property
    def global_batch(self) -> int:
        """Examples per step over every rank: batch_size is per process."""
        return self.cfg.batch_size * (self.ranks.world_size if self.ranks else 1)

    def _sample_batch(self):
        return self.data.batch(self.cfg.batch_size, self.rng)

    def adversarial(self, step_index: int | None = None) -> bool:
        """Whether step `step_index` (0-based; default: the next) trains both networks, or is one
        of the variant's content-only steps first (GAN.pretrain_steps)."""
        return (self.step if step_index is None else step_index) >= self.gan.pretrain_steps

    def phase(self, step_index: int | None = None) -> str | None:
        """That step's phase in words, for variants with content-only steps; else None."""
        if not self.gan.pretrain_steps:
            return None
        return "adversarial" if self.adversarial(step_index) else "content only"

    @property
    def sampler(self) -> torch.nn.Module:
        """The generator pictures and measurements use: the averaged one when g_ema_decay is on."""
        return self.ema.model if self.ema is not None else self.gan.generator

    def train_step(self) -> StepResult:
        """One step on fresh batches: what the loop runs (and flops.py counts)."""
        result = self.step_fn(self._sample_batch, self.rng, self.adversarial())
        if self.ema is not None:  # after the step's one generator update
            self.ema.update(self.gan.generator)
        return result

    def run(self) -> Status:
        """Train until cfg.steps, a stop request or an error. Returns the final status."""
        cfg = self.cfg
        self._become(Status.RUNNING, "started", total=cfg.steps)
        self._open_evaluator()
        # The window's sums of the step's logged values (loss_d, loss_g, d_real, d_fake and the
        # variant's own terms), one device vector; `names` says which, and a change of names (a
        # new phase) first logs the window so far.
        acc, names = None, None
        window_steps, window_start = 0, time.perf_counter()
        run_start = window_start
        first_log = min(FIRST_LOG_STEP, cfg.log_every)
        try:
            while self.step < cfg.steps:
                if self.control.due(self.step, cfg.log_every):
                    if self.control.paused:
                        paused_at = time.perf_counter()
                        self._wait_while_paused(Status.DIVERGED if self.diverged_at is not None else Status.PAUSED)
                        window_start += time.perf_counter() - paused_at  # paused time is not training
                        run_start += time.perf_counter() - paused_at
                    if self.control.stopped:
                        return self._end_early()
                if cfg.lr_decay:
                    self._set_lr()
                try:
                    result = self.train_step()
                except torch.OutOfMemoryError:
                    if self.ranks is not None:  # the other ranks are inside a collective: fail all
                        raise
                    return self._stop_out_of_memory()
                logged = result.logged()
                if tuple(logged) != names:  # the first step, or a new phase: a new vector
                    if window_steps:
                        now = time.perf_counter()
                        self._log(acc, names, window_steps, now - window_start, now - run_start)
                        window_steps, window_start = 0, time.perf_counter()
                    names, acc = tuple(logged), torch.zeros(len(logged), device=self.device)
                acc += torch.stack(list(logged.values()))
                self.step += 1
                window_steps += 1
                last = self.step == cfg.steps
                # a first picture right at the first log, then every sample_every steps; drawn
                # before the log, which records the picture's spread
                if self.step % cfg.sample_every == 0 or last or self.step == min(cfg.log_every, cfg.sample_every):
                    self._emit_samples()
                if self.step % cfg.log_every == 0 or last or self.step == first_log:
                    now = time.perf_counter()
                    self._log(acc, names, window_steps, now - window_start, now - run_start)
                    acc.zero_()
                    window_steps, window_start = 0, time.perf_counter()
                if self.step % cfg.checkpoint_every == 0 or last:
                    self._checkpoint()
                if self.evaluator is not None and self.step % cfg.eval_every == 0 and not last:
                    self.evaluator.offer(self.step, self.sampler)
            self._final_quality()
        except Exception as exc:  # reported to listeners, then re-raised for the caller
            lost = lost_peer_words(exc) if self.ranks is not None else None
            self._become(Status.FAILED, message=lost or f"{type(exc).__name__}: {exc}",
                         **({"detail": f"{type(exc).__name__}: {exc}"} if lost else {}))
            raise
        finally:
            self._close_evaluator()
        self._become(Status.FINISHED, **({"message": self.reached} if self.reached else {}))
        return self.status

    def _end_early(self) -> Status:
        """A stop request, or the quality target reached (which asked for the stop, so that every
        rank ends at one step): the last measurements, a checkpoint, and the run's end. A target
        reached ends with a picture of the final generator; its last measurement is the one that
        reached the target, a few steps back."""
        if self.reached is not None:
            self._emit_samples()
        self._emit_quality()
        self._checkpoint()
        if self.reached is not None:
            self._become(Status.FINISHED, message=self.reached)
        else:
            self._become(Status.STOPPED, message=self.divergence_message())
        return self.status

    def close(self) -> None:
        """Let go of the distributed wrappers before the process group ends: a DDP module's
        reducer still alive at interpreter exit, its group gone, aborts the process
        ("terminate called without an active exception"). A no-op when training alone."""
        if self.ranks is None:
            return
        self.step_fn.g, self.step_fn.d = self.gan.generator, self.gan.discriminator
        gc.collect()

    def _wait_while_paused(self, status: Status = Status.PAUSED) -> None:
        """Status.DIVERGED: paused by the trainer itself after a NaN/inf, with its message. With
        several ranks, rank 0 tells the others every second whether to go on waiting."""
        self._become(status, message=self.divergence_message())
        self.control.wait_while_paused()
        if not self.control.stopped:
            self._become(Status.RUNNING, "resumed")

    def _log(self, acc: torch.Tensor, names: tuple[str, ...], window_steps: int, window_s: float,
             wall_s: float) -> None:
        """The loop's only host sync: one read of the window's sums and the gradient norms."""
        norms = torch.stack([grad_norm(self.gan.discriminator).to(self.device),
                             grad_norm(self.gan.generator).to(self.device)])
        means = (average_(acc.clone(), self.ranks) / window_steps).tolist()  # over every rank's batches
        gd, gg = norms.tolist()
        record = {
            "step": self.step,
            **dict(zip(names, means)),
            "grad_norm_d": gd, "grad_norm_g": gg,
            "images_per_s": window_steps * self.global_batch / max(window_s, 1e-9),
            "wall_time": wall_s,
            "lr_g": self.opt_g.param_groups[0]["lr"],
        }
        if self._spread is not None:  # the latest picture's, once (health/detectors.py reads it)
            record["spread"], self._spread = self._spread, None
        if self.phase() is not None:
            record["phase"] = self.phase(self.step - 1)  # the window's: its last step's
        if not all(math.isfinite(v) for v in means):
            record["nonfinite"] = True
        self._emit("metrics", record=record)
        self._emit_alerts(self.health.observe_metrics(record))
        self._emit_quality()
        if record.get("nonfinite") and self.diverged_at is None:
            self._diverge()

    # ---- quality, measured beside training (quality/live.py) ---------------------------------
    def _open_evaluator(self) -> None:
        """Only when someone listens (a run folder, the dashboard), the run is at least one
        `eval_every` long (a quick try-out is not held up by a measurement; `gancore eval`
        measures it afterwards) and the data has a measure."""
        cfg = self.cfg
        if cfg.eval_every <= 0 or cfg.steps < cfg.eval_every or not self._listeners or self.evaluator:
            return
        measure = measure_for(self.cfg, self.source_data, self.conditional, self.device)
        if measure is not None:
            self.evaluator = SideEvaluator(measure, self.sampler)

    def _emit_quality(self) -> None:
        if self.evaluator is None:
            return
        for result in self.evaluator.results():  # the event's step: the step G was measured at
            if self.phase() is not None:
                result["phase"] = self.phase(result["step"] - 1)
            event = Event("quality", result.pop("step"), result)
            for listener in self._listeners:
                listener(event)
            if self.target is not None and self.reached is None and self.target.met(result.get("metrics", {})):
                self.reached = self.target.reached_words(result["metrics"], event.step)
                self.control.stop()  # taken before the next step (by every rank at the next log step)
            self._emit_alerts(self.health.observe_quality(quality_record(event), result.get("floor")))

    def _emit_alerts(self, changes: list[Alert]) -> None:
        for alert in changes:  # opened or closed
            self._emit("alert", alert=alert.to_dict())

    def replay_history(self, metrics: list[dict], quality: list[dict], floor: dict | None) -> None:
        """A resumed run's records so far, fed to the health watch without emitting (the run
        folder already holds their alerts), so its baselines and open alerts carry on."""
        self.health.replay(metrics, quality, floor)

    def _final_quality(self) -> None:
        """The finished generator is always measured: the number a run is compared by."""
        if self.evaluator is None:
            return
        self.evaluator.wait_idle(timeout=600)
        self.evaluator.offer(self.step, self.sampler, force=True)
        self.evaluator.wait_idle(timeout=600)
        self._emit_quality()

    def _close_evaluator(self) -> None:
        if self.evaluator is not None:
            self.evaluator.close()
            self.evaluator = None

    def _emit_samples(self) -> None:
        if not self._listeners:
            return  # nobody would see the picture: do not draw it
        png, self._spread = self.preview.draw(self.sampler)
        self._emit("samples", png=png)

    def _checkpoint(self) -> None:
        """Save, unless the weights are no longer finite: latest.pt must stay a healthy point to
        roll back to. One host sync per checkpoint to check."""
        if self.diverged_at is None and not self._weights_finite():
            self._diverge()
        if self.diverged_at is not None or not self._listeners:  # ranks other than 0 write nothing
            return
        self._emit("checkpoint", state=self.checkpoint_state())

    # ---- faults: divergence (NaN/inf) and running out of GPU memory ---------------------------
    def _weights_finite(self) -> bool:
        params = [p.detach() for net in (self.gan.generator, self.gan.discriminator)
                  for p in net.parameters()]
        return bool(torch.isfinite(torch.stack(torch._foreach_norm(params))).all())

    def _diverge(self) -> None:
        """A loss or weight became NaN/inf: pause (do not crash) and say where."""
        self.diverged_at = self.step
        self.control.pause()

    def divergence_message(self) -> str | None:
        if self.diverged_at is None:
            return None
        return (f"diverged at step {self.diverged_at}: a loss became NaN or infinite. Roll back to "
                "the last healthy checkpoint with a lower learning rate")

    def _stop_out_of_memory(self) -> Status:
        """Stop cleanly, keep the last healthy checkpoint, and say which batch size fits."""
        failed = self.cfg.batch_size
        for opt in (self.opt_g, self.opt_d):
            opt.zero_grad(set_to_none=True)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        fits = largest_fitting_batch(self.step_fn, self.data, failed)
        advice = (f"batch size {fits} fits: resume with --batch-size {fits}" if fits
                  else f"even batch size 1 does not fit on {self.device}")
        self._checkpoint()  # weights are whole (an OOM leaves at most one D update applied)
        self._become(Status.STOPPED, message=f"ran out of memory at batch size {failed}; {advice}",
                     fits_batch_size=fits)
        return self.status

    # ---- checkpoints: plain data + tensors only (torch.load(weights_only=True)) ---------------
    def checkpoint_state(self) -> dict:
        return state_of(self)


def train(cfg: TrainConfig, dataset: Dataset | None = None) -> tuple[Trainer, list[dict]]:
    """Train in the calling thread with no run folder; returns the trainer and its metric records."""
    trainer = Trainer(cfg, dataset)
    records: list[dict] = []
    trainer.subscribe(lambda e: records.append(e.data["record"]) if e.kind == "metrics" else None)
    trainer.run()
    return trainer, records


__all__ = ["Event", "StepResult", "Trainer", "train"]
