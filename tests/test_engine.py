"""Engine options change how a step runs, never what it computes: a few steps with and without
each option (on the CPU, where it applies) give the same numbers."""
import pytest
import torch

from gancore import ConfigError, make_config, train
from gancore.training.step import TwoPhaseStep
from gancore import create_gan
from tiny_data import tiny_images, tiny_points


def _trained(variant, data, dataset, **kw):
    """(the engine the trainer chose, its metric records) after 6 logged steps."""
    cfg = make_config(variant, dataset, steps=6, batch_size=16, log_every=1, device="cpu",
                      base_channels=8, hidden_dim=32, **kw)
    trainer, records = train(cfg, data)
    return trainer.engine, records


def _close(a, b, rel):
    assert len(a) == len(b) == 6, "every step logged on both sides"
    for ra, rb in zip(a, b):
        for key in ("loss_d", "loss_g", "d_real", "d_fake"):
            assert ra[key] == pytest.approx(rb[key], rel=rel, abs=rel), (key, ra["step"])


def test_channels_last_gives_the_same_numbers():
    data = tiny_images(size=28)
    (off, a), (on, b) = (_trained("dcgan", data, "glyphs", channels_last=c) for c in ("off", "on"))
    assert not off.channels_last and on.channels_last, "the option took effect"
    _close(a, b, rel=1e-4)


def test_bf16_autocast_stays_close_to_float32():
    data = tiny_images(size=28)
    (off, a), (bf16, b) = (_trained("dcgan", data, "glyphs", amp=amp) for amp in ("off", "bf16"))
    assert off.amp_dtype is None and bf16.amp_dtype == torch.bfloat16, "the option took effect"
    _close(a, b, rel=0.08)


def test_compile_gives_the_same_numbers():
    pytest.importorskip("torch._inductor")
    data = tiny_points()
    (plain, a), (compiled, b) = (_trained("vanilla", data, "ring8", compile=c) for c in (False, True))
    assert not plain.compile and compiled.compile, "the option took effect"
    _close(a, b, rel=1e-4)


def test_compile_is_refused_where_the_loss_differentiates_twice():
    with pytest.raises(ConfigError) as err:
        make_config("wgan_gp", "ring8", compile=True)
    assert err.value.field == "compile" and "turn compile off" in err.value.message


@pytest.mark.parametrize("variant,kind", [("wgan_gp", "points"), ("wgan_gp", "image"), ("vanilla", "points")])
def test_one_joint_d_pass_equals_two_separate_ones(variant, kind):
    """Without BatchNorm, D scores real and fake in one batch of 2B: same losses and gradients."""
    data = tiny_points() if kind == "points" else tiny_images()
    cfg = make_config(variant, "ring8" if kind == "points" else "glyphs", batch_size=8,
                      base_channels=8, hidden_dim=16)
    results = []
    for joint in (True, False):
        torch.manual_seed(0)
        gan = create_gan(cfg, data.info)
        step = TwoPhaseStep(gan, torch.optim.SGD(gan.generator.parameters(), 0.0),
                            torch.optim.SGD(gan.discriminator.parameters(), 0.0), 1, cfg.model.gp_lambda)
        assert step.joint_d
        step.joint_d = joint
        real, labels = data.batch(8, torch.Generator().manual_seed(1))
        torch.manual_seed(2)  # the same gradient-penalty mixing weights
        loss_d, d_real, d_fake, _ = step.d_step(real, None, torch.Generator().manual_seed(3))
        grads = [p.grad.clone() for p in gan.discriminator.parameters()]
        results.append((loss_d, d_real, d_fake, grads))
    (a, b) = results
    for x, y in zip(a[:3], b[:3]):
        assert torch.allclose(x, y, rtol=1e-5, atol=1e-6)
    for x, y in zip(a[3], b[3]):  # summation order differs with the batch shape and the thread
        # count (one thread read 1e-6 off on near-zero entries): compare at each tensor's own scale
        assert torch.allclose(x, y, rtol=1e-4, atol=1e-5 * float(y.abs().max()))


def test_a_conv_critic_on_the_cpu_scores_large_batches_in_two_passes():
    """Past 128 samples the 2B activations of a conv D outgrow a CPU's cache (docs/BENCHMARKS.md);
    an MLP D keeps the one pass at any batch size."""
    steps = {}
    for variant, data, dataset in (("wgan_gp", tiny_images(), "glyphs"), ("vanilla", tiny_points(), "ring8")):
        gan = create_gan(make_config(variant, dataset, base_channels=8, hidden_dim=16), data.info)
        steps[variant] = TwoPhaseStep(gan, torch.optim.SGD(gan.generator.parameters(), 0.1),
                                      torch.optim.SGD(gan.discriminator.parameters(), 0.1))
    assert steps["wgan_gp"].scores_jointly(128) and not steps["wgan_gp"].scores_jointly(129)
    assert steps["vanilla"].scores_jointly(1024)


def test_auto_uses_channels_last_for_conv_networks_on_a_cpu_too():
    """Measured 1.15x-1.44x for every conv variant on the CPU (docs/BENCHMARKS.md); MLPs have no layout."""
    from gancore.training.engine import resolve_engine

    cpu = torch.device("cpu")
    for variant, data, dataset, conv in (("dcgan", tiny_images(), "glyphs", True), ("vanilla", tiny_points(), "ring8", False)):
        cfg = make_config(variant, dataset, base_channels=8, hidden_dim=16, device="cpu")
        gan = create_gan(cfg, data.info)
        engine = resolve_engine(cfg, cpu, [gan.generator, gan.discriminator])
        assert engine.channels_last is conv and engine.amp_dtype is None and not engine.compile


def test_batchnorm_discriminators_keep_separate_real_and_fake_passes():
    data = tiny_images()
    gan = create_gan(make_config("dcgan", "glyphs", base_channels=8), data.info)
    step = TwoPhaseStep(gan, torch.optim.SGD(gan.generator.parameters(), 0.1),
                        torch.optim.SGD(gan.discriminator.parameters(), 0.1))
    assert not step.joint_d, "BatchNorm statistics of real and fake must not mix (DCGAN)"
