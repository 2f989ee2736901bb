"""One training step of a GAN, in the two phases of the literature (and of pytorch/examples dcgan):

  (1) update D: maximise log D(x) + log(1 - D(G(z))) (or the variant's D loss), G frozen;
  (2) update G: through a frozen D, make D(G(z)) score as real, plus the variant's own terms
      (SRGAN's content loss), weighted as the variant says.
A variant may ask for content-only steps first (GAN.pretrain_steps): G minimises its own terms
alone and D does not train (SRGAN's SRResNet stage).

Nothing here reads a value back to the host: the step returns device tensors, and the trainer
sums them on the device and reads them only every `log_every` steps.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from .losses import D_LOSSES, G_LOSSES, PENALTIES, SCORE_READOUT, r1_penalty
from ..registry import GAN

JOINT_CONV_CPU_MAX_BATCH = 128


@dataclass
class StepResult:
    """Device scalars of one step (0-dim tensors, no host sync taken to make them), by name.

    losses: "d" and "g" (the totals each network minimised) and the variant's own terms of the G
    loss ("content", "adv", ...); logged as loss_<name>. scores: "d_real", mean D(x) (a probability
    for BCE variants, a raw critic score for WGAN), and "d_fake", mean D(G(z)) in phase (1),
    before the generator update; empty on a step where D did not train (content-only steps).
    """

    losses: dict[str, torch.Tensor]
    scores: dict[str, torch.Tensor] = field(default_factory=dict)

    def logged(self) -> dict[str, torch.Tensor]:
        """The metric names and values the trainer records, in a fixed order."""
        return {**{f"loss_{name}": v for name, v in self.losses.items()}, **self.scores}


def grad_norm(module: torch.nn.Module) -> torch.Tensor:
    """Global L2 norm of a module's current gradients, as a device scalar."""
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


class TwoPhaseStep:
    """The step, given a variant's networks and loss names. Knows no variant by name."""

    def __init__(self, gan: GAN, opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer,
                 n_critic: int = 1, gp_lambda: float = 0.0, g_call=None, d_call=None,
                 autocast=nullcontext, d_local=None, r1_gamma: float = 0.0, augment=None):
        """g_call / d_call: the modules to call (compiled ones, say); defaults to the variant's.
        autocast: a context manager factory wrapping the forward passes (mixed precision).
        d_local: where d_call is DistributedDataParallel, the D to call where DDP must stay out:
        scoring fakes through the frozen D in phase (2) (DDP would wait for D gradients that never
        come) and the gradient penalty's double backward (DDP does not support create_graph,
        pytorch issue 63812; its maintainers' way: differentiate the local module, and let the
        one backward of the whole D loss reach the parameters, where DDP averages the gradient;
        the R1 penalty takes the same way).
        r1_gamma: weight of the R1 penalty on real data (losses.r1_penalty), 0 = off; applied at
        every D update. augment: images -> images (augment.DiffAugment), applied to real and fake
        right before every D call of both phases; None = off."""
        self.g_module, self.d_module = gan.generator, gan.discriminator
        self.g = g_call if g_call is not None else gan.generator
        self.d = d_call if d_call is not None else gan.discriminator
        self.d_local = d_local if d_local is not None else self.d
        self.autocast = autocast
        # A D without BatchNorm treats samples independently, so real and fake can share one
        # forward pass of 2B (one kernel launch per layer instead of two), same math.
        self.joint_d = not any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                               for m in gan.discriminator.modules())
        # Except for a conv D on a CPU past JOINT_CONV_CPU_MAX_BATCH: there the 2B activations
        # outgrow the cache and two passes are faster (docs/BENCHMARKS.md has the sweep).
        d_device = next(gan.discriminator.parameters()).device
        conv_on_cpu = d_device.type == "cpu" and any(
            isinstance(m, nn.Conv2d) for m in gan.discriminator.modules())
        self.joint_max_batch = JOINT_CONV_CPU_MAX_BATCH if conv_on_cpu else None
        self.opt_g, self.opt_d = opt_g, opt_d
        self.d_loss = D_LOSSES[gan.d_loss]
        self.g_loss = G_LOSSES[gan.g_loss]
        self.penalty = PENALTIES[gan.penalty] if gan.penalty else None
        self.gp_lambda = gp_lambda
        self.r1_gamma, self.augment = r1_gamma, augment
        self.readout = SCORE_READOUT[gan.d_loss]
        self.n_critic = n_critic
        self.g_terms, self.adv_weight = gan.g_terms, gan.adv_weight

    def seen(self, images: torch.Tensor) -> torch.Tensor:
        """Images as D sees them: augmented when DiffAugment is on (a new draw per call)."""
        return images if self.augment is None else self.augment(images)

    def scores_jointly(self, batch_size: int) -> bool:
        """Whether phase (1) scores real and fake in one pass of 2 x batch_size."""
        return self.joint_d and (self.joint_max_batch is None or batch_size <= self.joint_max_batch)

    def d_step(self, real: torch.Tensor, labels: torch.Tensor | None, rng: torch.Generator | None,
               keep_fake: bool = False):
        """(1) update D on a real batch and on detached fakes; G's parameters are not touched.
        Returns (loss_d, d_real, d_fake, fake) with `fake` still attached to G's graph when
        `keep_fake` (phase (2) reuses it, as pytorch/examples does, saving one G forward)."""
        g_inputs = self.g_module.make_inputs(real, labels, rng)
        with self.autocast():
            if keep_fake:
                fake = self.g(*g_inputs)  # (B, *shape), graph kept for phase (2)
            else:
                with torch.no_grad():  # G frozen: no graph at all
                    fake = self.g(*g_inputs)
            seen_real, seen_fake = self.seen(real), self.seen(fake.detach().to(real.dtype))  # (B, *shape)
            if self.scores_jointly(real.shape[0]):
                both_labels = None if labels is None else torch.cat([labels, labels])
                scores = self.d(torch.cat([seen_real, seen_fake]), both_labels)
                real_scores, fake_scores = scores.float().chunk(2)  # (B,), (B,)
            else:
                real_scores = self.d(seen_real, labels).float()  # (B,)
                fake_scores = self.d(seen_fake, labels).float()  # (B,)
            loss_d = self.d_loss(real_scores, fake_scores)
            if self.penalty is not None:
                loss_d = loss_d + self.gp_lambda * self.penalty(self.d_local, seen_real, seen_fake, labels)
            if self.r1_gamma:  # one more D pass on the reals, through d_local as the penalty's
                loss_d = loss_d + self.r1_gamma / 2 * r1_penalty(self.d_local, seen_real, seen_fake, labels)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        d_real = self.readout(real_scores.detach()).mean()
        d_fake = self.readout(fake_scores.detach()).mean()
        return loss_d.detach(), d_real, d_fake, fake

    def g_step(self, fake: torch.Tensor, labels: torch.Tensor | None,
               real: torch.Tensor | None = None, adversarial: bool = True) -> dict[str, torch.Tensor]:
        """(2) update G through D. D's parameters are frozen (requires_grad off), so backward
        computes no weight gradients for D and its optimizer is not stepped. `real`: the batch
        the fakes were made from, for the variant's own terms (content loss against the target).
        `adversarial` False: the variant's terms alone, D not called (content-only steps).
        Returns the G losses by name: "g" (the total) and the variant's terms."""
        self.d_module.requires_grad_(False)
        try:
            with self.autocast():
                terms = self.g_terms(fake, real) if self.g_terms is not None else {}
                total = sum(terms.values()) if terms else None
                if adversarial:
                    adv = self.g_loss(self.d_local(self.seen(fake), labels).float())
                    weighted = adv if self.adv_weight == 1.0 else self.adv_weight * adv
                    total = weighted if total is None else total + weighted
                    if terms:
                        terms = {**terms, "adv": adv}
            self.opt_g.zero_grad(set_to_none=True)
            total.backward()
            self.opt_g.step()
        finally:
            self.d_module.requires_grad_(True)
        return {"g": total.detach(), **{name: v.detach() for name, v in terms.items()}}

    def __call__(self, sample_batch, rng: torch.Generator | None, adversarial: bool = True) -> StepResult:
        """sample_batch() -> (real (B, *shape), labels (B,) or None), drawn on the device.
        `adversarial` False: a content-only step (no phase (1))."""
        if not adversarial:
            real, labels = sample_batch()
            fake = self.g(*self.g_module.make_inputs(real, labels, rng))
            return StepResult(self.g_step(fake, labels, real, adversarial=False))
        for i in range(self.n_critic):
            real, labels = sample_batch()
            last = i == self.n_critic - 1
            loss_d, d_real, d_fake, fake = self.d_step(real, labels, rng, keep_fake=last)
        # make_inputs gives fakes the real batch's labels, so D judges them under those labels
        g_losses = self.g_step(fake, labels, real)
        return StepResult({"d": loss_d, **g_losses}, {"d_real": d_real, "d_fake": d_fake})

    def trial(self, real: torch.Tensor, labels: torch.Tensor | None) -> None:
        """Forward and backward of both phases at this batch size, no optimizer step: does it fit?"""
        try:
            with self.autocast():
                fake = self.g(*self.g_module.make_inputs(real, labels))
                loss = self.d_loss(self.d(real, labels).float(), self.d(fake.detach(), labels).float())
                loss = loss + self.g_loss(self.d(fake, labels).float())
            loss.backward()
        finally:
            self.opt_g.zero_grad(set_to_none=True)
            self.opt_d.zero_grad(set_to_none=True)


def largest_fitting_batch(step: TwoPhaseStep, data, failed: int) -> int | None:
    """Halve the batch size from `failed` until one trial step fits; None if not even 1 does."""
    size = failed // 2
    while size >= 1:
        try:
            real, labels = data.batch(size)
            step.trial(real, labels if step.g_module.num_classes else None)
            return size
        except torch.OutOfMemoryError:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            size //= 2
    return None
