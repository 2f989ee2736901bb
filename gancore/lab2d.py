"""A GAN Lab-style session (after poloclub/ganlab) for MLP variants on 2D points: step the two
networks by hand and look inside after every step.

One `Lab2D` holds a generator, a discriminator, their optimizers and the project's own
`TwoPhaseStep`, so a lab step is the training step, not a copy of it: `d_step` is phase (1)
(D on real and detached fakes, G frozen) and `g_step` phase (2) (G through a frozen D). With
k_d = k_g = 1 and both networks on, a lab iteration is exactly one Trainer step (tested).

`snapshot()` returns plain numpy arrays in the dataset's own coordinates: real points, the fixed
noise batch's generated points, D's output over a lattice, and the way each generated point
would move to lower G's loss. Interactive and single-threaded: one lab per browser session, in
memory only (it never writes a run folder). Not thread-safe.

Differences from a run on purpose: the lab runs on the CPU by default (a few hundred small
steps; no GPU queue shared with background runs), and learning rates stay at the config's values
(`lr_decay` is ignored: a lab has no planned end, and a finished run's decayed rate would be 0).
"""
from __future__ import annotations

import math
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from .config import TrainConfig, check_data_fits, validate
from .data import DataInfo, Dataset, load_dataset
from .errors import ConfigError, GanError, RunError
from .training.losses import score_probability
from .registry import create_gan, is_conditional
from .sampling import fixed_inputs
from .training.step import TwoPhaseStep
from .training.threads import run_torch_inline_in_this_thread
from .lab_views import Frames, js_divergence, latent_mesh

MAX_POINTS = 2000  # the fixed real sample and the fixed noise batch; a snapshot shows up to this
MAX_K = 100  # updates of one network per iteration
MAX_ITERATIONS = 10_000  # per step() call
MAX_GRID = 200  # lattice side of the heatmap
HISTORY = 500  # iteration records kept (a short history for the page; older ones are dropped)
MARGIN = 0.3  # the lattice covers the data's box plus this fraction of its side on every edge
ARROW_LENGTH = 0.08  # a typical (95th percentile) arrow is this fraction of the lattice's side


@dataclass
class LabSnapshot:
    """What the lab looks like now. Coordinates are the dataset's own (raw, not divided by scale).
    R real points and N generated points are shown; for a conditional variant only those of
    `label`, and D is asked about that class."""

    iteration: int  # lab iterations so far (each: k_d D updates and/or k_g G updates)
    d_updates: int  # discriminator optimizer steps taken in this lab
    g_updates: int  # generator optimizer steps taken in this lab
    real: np.ndarray  # (R, 2) a fixed sample of the data: the same points every snapshot
    fake: np.ndarray  # (N, 2) G(z) for a FIXED noise batch: the same z, so points move between steps
    gradient: np.ndarray  # (N, 2) -d loss_G / d x at each generated point x (its own term of the
    # loss, in raw coordinates): the direction lowering G's loss would move it. Not weight gradients.
    arrows: np.ndarray  # (N, 2) `gradient` rescaled for display (raw-coordinate lengths, see ARROW_LENGTH)
    grid_x: np.ndarray  # (G,) lattice x coordinates, ascending
    grid_y: np.ndarray  # (G,) lattice y coordinates, ascending
    scores: np.ndarray  # (G, G) D's output; scores[i, j] is at (grid_x[j], grid_y[i]) (row = y)
    score_kind: str  # "probability": sigmoid of the logit, P(real) in [0, 1] (BCE variants);
    # "critic": the raw critic score of WGAN-GP, unbounded, higher = more real
    score_mid: float  # the "cannot tell" level: 0.5, or for a critic halfway between its mean
    # scores of the real and generated points shown (a critic's zero means nothing)
    d_real: float  # mean D output (same kind) on the real points shown
    d_fake: float  # mean D output on the generated points shown
    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1: the lattice's square box
    variant: str
    dataset: str
    label: int | None = None  # conditional variants: the class shown; None otherwise
    label_name: str | None = None
    js: float = float("nan")  # JS divergence of the real and generated points shown (lab_views)
    mesh: np.ndarray | None = None  # (M, M, 2) G's manifold in raw coordinates, when asked for


_thread = threading.local()


def _inline_torch() -> None:
    """Torch ops of the calling thread run inline, once per thread. The lab's MLPs are small:
    an OpenMP team only adds spin-waits, and on a busy machine (a run training beside the lab)
    they slow both (docs/BENCHMARKS.md, the 2D Lab rows)."""
    if not getattr(_thread, "inline", False):
        run_torch_inline_in_this_thread()
        _thread.inline = True


def _check_int(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ConfigError(name, f"must be a whole number between {lo:,} and {hi:,}, got {value!r}")
    return int(value)


class Lab2D:
    def __init__(self, cfg: TrainConfig, dataset: Dataset | None = None,
                 checkpoint: dict | None = None, device: str | torch.device = "cpu"):
        """A fresh lab from `cfg` (weights initialised as a Trainer with this config does), or,
        with `checkpoint` (a state from `Run.load_checkpoint`), the run's networks and optimizer
        moments. `dataset`: already loaded points (tests); default: load `cfg.data`."""
        self.cfg = validate(cfg)
        self.device = torch.device(device)
        data = dataset if dataset is not None else load_dataset(cfg.data, cfg.seed)
        self.info: DataInfo = data.info
        if self.info.kind != "points" or tuple(self.info.shape) != (2,):
            raise ConfigError("dataset", f"the 2D lab needs a 2D point dataset (ring8, grid25, "
                              f"spiral, moons); {self.info.name} is {self.info.kind} data")
        check_data_fits(cfg, self.info)
        self.data = data.to(self.device)
        self.conditional = is_conditional(cfg)

        # The trainer's initialisation (global seed, then create_gan), without touching the
        # process's global generator: other sessions of the same server keep their streams.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            self.gan = create_gan(cfg, self.info)
        self.gan.generator.to(self.device)
        self.gan.discriminator.to(self.device)
        betas = (cfg.beta1, cfg.beta2)
        self.opt_g = torch.optim.Adam(self.gan.generator.parameters(), cfg.lr_g, betas=betas, foreach=True)
        self.opt_d = torch.optim.Adam(self.gan.discriminator.parameters(), cfg.lr_d, betas=betas, foreach=True)
        self.optimizer = "Adam"  # lab_knobs.tune may swap both for SGD while the lab runs
        self.step_fn = TwoPhaseStep(self.gan, self.opt_g, self.opt_d, cfg.n_critic, cfg.model.gp_lambda)
        self.score_kind = "probability" if self.step_fn.readout is score_probability else "critic"

        self.start_step = 0  # the run's step when opened from a checkpoint
        if checkpoint is not None:
            self._load(checkpoint)
        # batches and fresh noise; the trainer's seed, moved on by the run's step when continuing
        self.rng = torch.Generator(self.device).manual_seed(cfg.seed + 1 + self.start_step)

        # What every snapshot shows: a fixed real sample and a fixed noise batch (labels cycle
        # through the classes for conditional variants), as the trainer's preview does.
        pick = torch.randperm(len(data), generator=torch.Generator().manual_seed(cfg.seed + 2))[:MAX_POINTS]
        self.real_x = data.x[pick].float().cpu() * self.info.scale  # (R, 2) raw coordinates
        self.real_y = None if data.y is None else data.y[pick].cpu()  # (R,)
        self.fixed_z, self.fixed_y = fixed_inputs(self.gan.generator, self.info, self.conditional,
                                                  self.device, cfg.seed, n=MAX_POINTS, per_class=1)
        self.bounds = self._box(data.x.float().cpu() * self.info.scale)

        self.iteration = 0
        self.d_updates = 0
        self.g_updates = 0
        self.history: deque[dict] = deque(maxlen=HISTORY)
        self.frames = Frames()  # the snapshots the page drew, for its scrubber

    # ---- building from a run ----------------------------------------------------------------
    @classmethod
    def from_checkpoint(cls, state: dict, device: str | torch.device = "cpu",
                        dataset: Dataset | None = None) -> "Lab2D":
        """Continue exploring a trained run. `state` comes from `Run.load_checkpoint` (or
        `sampling.load_checkpoint_bytes`): plain data and tensors, loaded with weights_only."""
        try:
            cfg = TrainConfig.from_dict(state["config"])
            info = DataInfo.from_dict(state["data_info"])
        except (KeyError, TypeError, ValueError, GanError) as exc:
            raise RunError(f"this is not a gancore checkpoint (its config cannot be read: {exc})") from exc
        if info.kind != "points":
            raise RunError(f"the 2D lab opens runs on 2D points; this run ({cfg.model.variant} on "
                           f"{info.name}) trains on images")
        return cls(cfg, dataset=dataset, checkpoint=state, device=device)

    @classmethod
    def from_run(cls, run, name: str = "latest.pt", device: str | torch.device = "cpu") -> "Lab2D":
        """`run`: a runs.Run. Its checkpoint is read with weights_only=True (no pickled objects)."""
        return cls.from_checkpoint(run.load_checkpoint(name, device="cpu"), device=device)

    def _load(self, state: dict) -> None:
        try:
            self.gan.generator.load_state_dict(state["generator"])
            self.gan.discriminator.load_state_dict(state["discriminator"])
        except (KeyError, RuntimeError) as exc:
            detail = str(exc).strip().splitlines()[0][:200]
            raise RunError(f"the checkpoint's weights do not fit a {self.cfg.model.variant} "
                           f"for {self.info.name} ({detail})") from exc
        for opt, key, lr in ((self.opt_g, "opt_g", self.cfg.lr_g), (self.opt_d, "opt_d", self.cfg.lr_d)):
            if key in state:  # Adam's moments: the run's momentum carries on
                opt.load_state_dict(state[key])
            for group in opt.param_groups:
                # the config's rate (not the saved, possibly decayed one), and the CPU code path
                # even when the run trained with CUDA's fused Adam
                group.update(lr=lr, fused=None, foreach=True, capturable=False)
        self.start_step = int(state.get("step", 0))

    # ---- training ---------------------------------------------------------------------------
    def step(self, train_d: bool = True, train_g: bool = True, k_d: int = 1, k_g: int = 1,
             iterations: int = 1) -> dict:
        """Run `iterations` iterations; each is k_d discriminator updates then k_g generator
        updates (only the networks switched on). Returns the last iteration's record:
        {"iteration", "d_updates", "g_updates", "loss_d", "loss_g", "d_real", "d_fake"}, losses
        averaged over the iteration's updates, None for a network not trained."""
        if not (train_d or train_g):
            raise ConfigError("train", "choose the discriminator, the generator or both to train")
        k_d = _check_int("k_d", k_d, 1, MAX_K)
        k_g = _check_int("k_g", k_g, 1, MAX_K)
        iterations = _check_int("iterations", iterations, 1, MAX_ITERATIONS)
        _inline_torch()
        self.gan.generator.train()
        self.gan.discriminator.train()
        record = {}
        for _ in range(iterations):
            record = self._iteration(bool(train_d), bool(train_g), k_d, k_g)
            self.history.append(record)
        return record

    def _batch(self):
        return self.data.batch(self.cfg.batch_size, self.rng)  # (B, 2) scaled, (B,) labels

    def _iteration(self, train_d: bool, train_g: bool, k_d: int, k_g: int) -> dict:
        losses_d, losses_g = [], []
        d_real = d_fake = fake = labels = None
        if train_d:
            for i in range(k_d):
                real, labels = self._batch()
                # as the trainer does: the last D update keeps its fakes' graph for the first G update
                keep = train_g and i == k_d - 1
                loss_d, d_real, d_fake, fake = self.step_fn.d_step(real, labels, self.rng, keep_fake=keep)
                losses_d.append(loss_d)
            self.d_updates += k_d
        if train_g:
            for _ in range(k_g):
                if fake is None:
                    real, labels = self._batch()  # fakes follow the data's class mix
                    with self.step_fn.autocast():
                        fake = self.step_fn.g(*self.step_fn.g_module.make_inputs(real, labels, self.rng))
                losses_g.append(self.step_fn.g_step(fake, labels, real)["g"])
                fake = None  # G changed: the next update draws new fakes from it
            self.g_updates += k_g
        self.iteration += 1
        nan = torch.tensor(float("nan"))
        values = torch.stack([torch.stack(losses_d).mean() if losses_d else nan,
                              torch.stack(losses_g).mean() if losses_g else nan,
                              d_real if d_real is not None else nan,
                              d_fake if d_fake is not None else nan]).tolist()  # one host read
        loss_d, loss_g, d_real_v, d_fake_v = values
        return {"iteration": self.iteration, "d_updates": self.d_updates, "g_updates": self.g_updates,
                "loss_d": loss_d if train_d else None, "loss_g": loss_g if train_g else None,
                "d_real": d_real_v if train_d else None, "d_fake": d_fake_v if train_d else None}

    @property
    def diverged(self) -> bool:
        """True once a loss became NaN or infinite (the networks are then broken: start again)."""
        last = self.history[-1] if self.history else {}
        return any(last.get(k) is not None and not math.isfinite(last[k])
                   for k in ("loss_d", "loss_g", "d_real", "d_fake"))

    # ---- looking inside -------------------------------------------------------------------------
    def scores(self, points: np.ndarray, label: int | None = None) -> np.ndarray:
        """D's output (probability or critic score, see `score_kind`) at (M, 2) raw points -> (M,)."""
        x = torch.as_tensor(np.asarray(points), dtype=torch.float32, device=self.device) / self.info.scale
        with self._eval(), torch.no_grad():
            return self.step_fn.readout(self.gan.discriminator(x, self._labels(len(x), label)).float()).cpu().numpy()

    def snapshot(self, grid: int = 60, n_points: int = 500, label: int | None = None,
                 manifold: bool = False) -> LabSnapshot:
        """The picture now; see LabSnapshot. `label`: the class for conditional variants (default 0);
        `manifold`: also map a latent grid through G (snap.mesh).
        Reads only: no parameter gradient, optimizer state or train/eval mode is changed."""
        grid = _check_int("grid", grid, 2, MAX_GRID)
        n_points = _check_int("n_points", n_points, 1, MAX_POINTS)
        label = self._check_label(label)
        _inline_torch()
        real, z, y = self.real_x, self.fixed_z, self.fixed_y
        if label is not None:
            real = real[self.real_y == label]
            z, y = z[self.fixed_y == label], y[self.fixed_y == label]
        real, z = real[:n_points], z[:n_points]  # (R, 2), (N, latent)
        y = None if y is None else y[:n_points]

        with self._eval():
            with torch.no_grad():
                fake = self.gan.generator(z, y).float() * self.info.scale  # (N, 2) raw
                mesh = None
                if manifold:
                    one = None if y is None else torch.full((1,), label, dtype=torch.long, device=self.device)
                    mesh = latent_mesh(self.gan.generator, self.gan.generator.latent_dim, one) * self.info.scale
            fake_scores, gradient = self._fake_gradient(fake, y)  # (N,), (N, 2)
        x0, x1, y0, y1 = self.bounds
        gx, gy = np.linspace(x0, x1, grid), np.linspace(y0, y1, grid)  # (G,), (G,)
        xx, yy = np.meshgrid(gx, gy)  # (G, G) each, row = y
        lattice = np.stack([xx.ravel(), yy.ravel()], 1)  # (G*G, 2)
        heat = self.scores(lattice, label).reshape(grid, grid)
        real_scores = self.scores(real.numpy(), label) if len(real) else np.zeros(0)
        d_real = float(real_scores.mean()) if len(real_scores) else float("nan")
        d_fake = float(fake_scores.mean()) if len(fake_scores) else float("nan")
        mid = 0.5 if self.score_kind == "probability" else (d_real + d_fake) / 2
        names = self.info.class_names
        return LabSnapshot(
            iteration=self.iteration, d_updates=self.d_updates, g_updates=self.g_updates,
            real=real.numpy(), fake=fake.cpu().numpy(), gradient=gradient,
            arrows=self._display_arrows(gradient), grid_x=gx, grid_y=gy, scores=heat,
            score_kind=self.score_kind, score_mid=float(mid), d_real=d_real, d_fake=d_fake,
            bounds=self.bounds, variant=self.cfg.model.variant, dataset=self.info.name, label=label,
            label_name=(names[label] if label is not None and label < len(names) else None),
            js=js_divergence(real.numpy(), fake.cpu().numpy(), self.bounds), mesh=mesh)

    def _fake_gradient(self, fake_raw: torch.Tensor, y: torch.Tensor | None):
        """-d loss_G / d x at each generated point, in raw coordinates, (N, 2), and D's output
        there (N,). The variant's own G loss through D; gradients w.r.t. the points only: D's
        parameters are switched off, so no weight gradient is made or touched."""
        x = fake_raw.detach().clone().requires_grad_(True)  # (N, 2) raw
        flags = [p.requires_grad for p in self.gan.discriminator.parameters()]
        self.gan.discriminator.requires_grad_(False)
        try:
            with torch.enable_grad():
                raw_scores = self.gan.discriminator(x / self.info.scale, y).float()  # (N,)
                loss = self.step_fn.g_loss(raw_scores)  # mean over the N points
                (grad,) = torch.autograd.grad(loss, x)
        finally:
            for p, flag in zip(self.gan.discriminator.parameters(), flags):
                p.requires_grad_(flag)
        # times N: each point's own term of the mean, so arrows do not shrink as more are shown
        direction = (-grad * x.shape[0]).cpu().numpy()
        return self.step_fn.readout(raw_scores.detach()).cpu().numpy(), direction

    def _display_arrows(self, gradient: np.ndarray) -> np.ndarray:
        """Scale so a typical arrow is ARROW_LENGTH of the box's side; relative lengths are kept
        (an arrow twice as long is a gradient twice as strong), the longest capped at 2x typical."""
        side = self.bounds[1] - self.bounds[0]
        norms = np.linalg.norm(gradient, axis=1)  # (N,)
        finite = norms[np.isfinite(norms)]
        typical = float(np.percentile(finite, 95)) if len(finite) else 0.0
        if not typical > 0:
            return np.zeros_like(gradient)
        arrows = gradient * (ARROW_LENGTH * side / typical)
        lengths = np.linalg.norm(arrows, axis=1, keepdims=True)
        cap = 2 * ARROW_LENGTH * side
        return np.where(lengths > cap, arrows * cap / np.maximum(lengths, 1e-12), arrows)

    # ---- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _box(points: torch.Tensor) -> tuple[float, float, float, float]:
        """A square around the data (0.5 to 99.5 percentiles, so stray points do not stretch it),
        plus MARGIN on every side: the heatmap's extent, fixed for the lab's life."""
        q = torch.quantile(points[:100_000], torch.tensor([0.005, 0.995]), dim=0)  # (2, 2)
        centre = (q[0] + q[1]) / 2
        half = float((q[1] - q[0]).max()) / 2 * (1 + 2 * MARGIN) or 1.0
        cx, cy = float(centre[0]), float(centre[1])
        return (cx - half, cx + half, cy - half, cy + half)

    def _check_label(self, label: int | None) -> int | None:
        if not self.conditional:
            return None
        if label is None:
            return 0
        return _check_int("label", label, 0, self.info.num_classes - 1)

    def _labels(self, n: int, label: int | None) -> torch.Tensor | None:
        if not self.conditional:
            return None
        return torch.full((n,), 0 if label is None else label, dtype=torch.long, device=self.device)

    @contextmanager
    def _eval(self):
        """Eval mode for both networks inside the block, each restored to its own mode after."""
        nets = (self.gan.generator, self.gan.discriminator)
        was = [net.training for net in nets]
        for net in nets:
            net.eval()
        try:
            yield
        finally:
            for net, mode in zip(nets, was):
                net.train(mode)

    def describe(self) -> str:
        start = f"continued from step {self.start_step:,}" if self.start_step else "fresh"
        return f"{self.cfg.model.variant} on {self.info.name} ({start})"


__all__ = ["Lab2D", "LabSnapshot"]
