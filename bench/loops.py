"""The two loops gancore's trainer is measured against, around the very same model classes.

reference_loop: the way the canonical examples train (pytorch/examples dcgan/main.py,
  PyTorch-GAN): a DataLoader (shuffle, 2 workers, default collate) over the dataset, float32,
  torch.optim.Adam with its defaults, and .item() on the losses, D(x) and D(G(z)) every step.
floor_loop: the math alone: data already on the device, sampled by index, no logging, no events.

Both run the same two phases as TwoPhaseStep, with the variant's own loss pair. Each returns the
seconds taken by `steps` generator steps, after `warmup` untimed ones.
"""
from __future__ import annotations

import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from gancore.data.base import Dataset
from gancore.training.losses import D_LOSSES, G_LOSSES, PENALTIES
from gancore.registry import create_gan


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _models(cfg, data: Dataset, device, **adam_options):
    """The variant's networks on `device`, its loss pair and penalty, and Adam for each network."""
    torch.manual_seed(cfg.seed)
    gan = create_gan(cfg, data.info)
    g, d = gan.generator.to(device), gan.discriminator.to(device)
    losses = D_LOSSES[gan.d_loss], G_LOSSES[gan.g_loss], PENALTIES[gan.penalty] if gan.penalty else None
    betas = (cfg.beta1, cfg.beta2)
    optimizers = (torch.optim.Adam(g.parameters(), lr=cfg.lr_g, betas=betas, **adam_options),
                  torch.optim.Adam(d.parameters(), lr=cfg.lr_d, betas=betas, **adam_options))
    return gan, g, d, losses, optimizers


def _g_total(gan, adversarial: torch.Tensor, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """The generator's loss as its variant declares it: the adversarial term, weighted, plus its
    own terms; just the adversarial term for variants without own terms."""
    if gan.g_terms is None:
        return adversarial
    return gan.adv_weight * adversarial + sum(gan.g_terms(fake, real).values())


def reads_y(gan, data: Dataset) -> bool:
    """Whether the networks read each batch's y: labels when conditional; paired data's inputs."""
    return gan.conditional or data.info.input_shape is not None


def reference_loop(cfg, data: Dataset, steps: int, warmup: int = 5, device="cpu") -> float:
    device = torch.device(device)
    gan, g, d, (d_loss, g_loss, penalty), (opt_g, opt_d) = _models(cfg, data, device)
    labels = data.y if data.y is not None else torch.zeros(len(data), dtype=torch.long)
    loader = DataLoader(TensorDataset(data.x.cpu(), labels.cpu()), batch_size=cfg.batch_size,
                        shuffle=True, num_workers=2, drop_last=True, persistent_workers=True)
    conditional = reads_y(gan, data)

    def batches():
        while True:
            yield from loader

    it = batches()
    log = []
    start = None
    for step in range(warmup + steps):
        if step == warmup:
            _sync(device)
            start = time.perf_counter()
        for _ in range(cfg.n_critic):
            real, y = next(it)
            real, y = real.to(device), (y.to(device) if conditional else None)
            # (1) update D; G reads what its variant says (noise and y; a low-resolution copy)
            fake = g(*g.make_inputs(real, y))
            out_real, out_fake = d(real, y), d(fake.detach(), y)
            err_d = d_loss(out_real, out_fake)
            if penalty is not None:
                err_d = err_d + cfg.model.gp_lambda * penalty(d, real, fake.detach(), y)
            opt_d.zero_grad()
            err_d.backward()
            opt_d.step()
        # (2) update G, with the variant's own terms (SRGAN's content loss) beside the adversarial one
        err_g = _g_total(gan, g_loss(d(fake, y)), fake, real)
        opt_g.zero_grad()
        err_g.backward()
        opt_g.step()
        # the examples print these every step: four host syncs
        log.append((err_d.item(), err_g.item(), out_real.mean().item(), out_fake.mean().item()))
    _sync(device)
    elapsed = time.perf_counter() - start
    del loader, it
    return elapsed


def floor_loop(cfg, data: Dataset, steps: int, warmup: int = 5, device="cpu") -> float:
    device = torch.device(device)
    fast = {"fused": True} if device.type == "cuda" else {"foreach": True}
    gan, g, d, (d_loss, g_loss, penalty), (opt_g, opt_d) = _models(cfg, data, device, **fast)
    data = data.to(device)
    start = None
    for step in range(warmup + steps):
        if step == warmup:
            _sync(device)
            start = time.perf_counter()
        for _ in range(cfg.n_critic):
            real, y = data.batch(cfg.batch_size)
            y = y if reads_y(gan, data) else None
            fake = g(*g.make_inputs(real, y))
            err_d = d_loss(d(real, y), d(fake.detach(), y))
            if penalty is not None:
                err_d = err_d + cfg.model.gp_lambda * penalty(d, real, fake.detach(), y)
            opt_d.zero_grad(set_to_none=True)
            err_d.backward()
            opt_d.step()
        err_g = _g_total(gan, g_loss(d(fake, y)), fake, real)
        opt_g.zero_grad(set_to_none=True)
        err_g.backward()
        opt_g.step()
    _sync(device)
    return time.perf_counter() - start


def quiet_trainer(cfg, data: Dataset, steps: int, device):
    """gancore's Trainer for `steps` steps with no samples, checkpoints or quality measurements:
    nothing beside the step and its log records."""
    from gancore.training.trainer import Trainer

    quiet = dict(sample_every=10**7, checkpoint_every=10**7, eval_every=0, device=str(device))
    return Trainer(cfg.replace(steps=steps, **quiet), data)


def trainer_loop(cfg, data: Dataset, steps: int, warmup: int = 5, device="cpu") -> float:
    """gancore's Trainer, timed the same way: `warmup` steps as a first run, then the timed
    `steps` as its continuation (the same trainer, so nothing is rebuilt in between)."""
    device = torch.device(device)
    trainer = quiet_trainer(cfg, data, warmup, device)
    trainer.run()
    trainer.cfg = trainer.cfg.replace(steps=warmup + steps)
    _sync(device)
    start = time.perf_counter()
    trainer.run()
    _sync(device)
    return time.perf_counter() - start
