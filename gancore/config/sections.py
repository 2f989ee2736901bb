"""The three sections of a run's configuration (data / model / train), each setting declared once.

Field names are unique across the sections, so a CLI flag (`--batch-size`), a form field and an
error message all use the same flat name (`batch_size`); `SETTINGS` maps each name to its
declaration. Every range, choice, label and help line lives in the `setting(...)` beside its field.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from ..errors import ConfigError
from .setting import KEY, Setting, setting

_NO_OWN = {None: "the dataset's own"}


@dataclass
class DataConfig:
    dataset: str = setting("ring8", "Dataset", "what it learns to imitate", picked=True, architecture=True)
    # IDX folder (mnist) or image folder (folder); None = the cache / nothing chosen yet
    data_dir: str | None = setting(
        None, "Data folder", "folder with the dataset's files (IDX files for mnist, images for folder)",
        main=True)
    split: str = setting("train", "Split", "which part of an IDX dataset to read: train or test",
                         choices=("train", "test"), main=True)
    image_size: int | None = setting(
        None, "Image size (pixels)", "image side in pixels (16, 28, 32, 48, 64 or 96); empty = the dataset's own",
        choices=(None, 16, 28, 32, 48, 64, 96), words=_NO_OWN, main=True, architecture=True)
    channels: int | None = setting(None, "Colour", "folder images: 1 for gray, 3 for colour",
                                   choices=(None, 1, 3), words={**_NO_OWN, 1: "gray", 3: "RGB"},
                                   main=True, architecture=True)
    num_samples: int = setting(0, "Examples to generate",
                               "how many examples a generated dataset makes (0 = its default)",
                               range=(0, 10_000_000))
    download: bool = setting(True, "Allow download",
                             "allow downloading MNIST-style datasets on first use")


@dataclass
class ModelConfig:
    variant: str = setting("vanilla", "GAN variant", "which GAN to train", picked=True, architecture=True)
    latent_dim: int = setting(64, "Noise size (latent_dim)",
                              "size of the random noise vector the generator starts from",
                              range=(1, 1024), needs_noise=True, architecture=True)
    hidden_dim: int = setting(256, "Hidden units (MLP)", "width of each hidden layer (MLP variants)",
                              range=(4, 4096), architecture=True)
    hidden_layers: int = setting(3, "Hidden layers (MLP)",
                                 "number of hidden layers in each network (MLP variants)",
                                 range=(1, 8), architecture=True)
    # channels of the widest-resolution layer (ngf = ndf)
    base_channels: int = setting(32, "Conv width (base_channels)",
                                 "width of the convolutional networks (conv variants)",
                                 range=(4, 512), architecture=True)
    g_loss: str = setting(
        "nonsaturating", "Generator loss",
        "generator loss: nonsaturating (-log D(G(z))), minimax (log(1 - D(G(z)))) or wasserstein",
        choices_by_variant=True, main=True)
    # the BCE variants' choice (variants/loss_choice.py); wgan_gp's pair comes with its g_loss
    loss: str = setting(
        "bce", "Loss pair", "bce (the original log-loss; the generator loss setting picks G's side) or "
        "hinge (SAGAN, BigGAN: D keeps real scores above +1 and fakes below -1, G raises the score "
        "of its fakes)", choices=("bce", "hinge"), owner="variant")
    # training/spectral.py; it renames D's weights in a checkpoint, so a fork cannot change it
    spectral_norm: bool = setting(
        False, "Spectral normalisation in D",
        "divide each discriminator weight by its largest singular value (Miyato et al. 2018), "
        "which keeps D smooth and its gradients to G useful", architecture=True)
    r1_gamma: float = setting(
        0.0, "R1 penalty weight (gamma)",
        "penalise the discriminator's gradient on real data, (gamma / 2) x |grad D(x)|^2 "
        "(Mescheder et al. 2018; e.g. 10 for images, 0.1 for points; 0: off)",
        range=(0.0, 1000.0), fmt="%.3f")
    # fixed by cgan / cdcgan; the user's switch on variants where it is optional
    conditional: bool = setting(
        False, "Conditional (use the class labels)",
        "feed the class label to both networks (wgan_gp; cgan and cdcgan always do)",
        owner="variant", needs_labels=True, main=True, architecture=True)
    gp_lambda: float = setting(10.0, "Gradient penalty weight", "weight of the gradient penalty (wgan_gp)",
                               range=(0.0, 1000.0), owner="variant", fmt="%.3f")
    # super-resolution (srgan): the generator reads a copy `scale` times smaller than the data
    scale: int = setting(4, "Upscaling factor", "how many times larger the generator makes each side (2 or 4)",
                         choices=(2, 4), owner="variant", main=True, architecture=True)
    res_blocks: int = setting(8, "Residual blocks", "residual blocks in the super-resolution generator "
                              "(the paper uses 16)", range=(1, 32), owner="variant",
                              architecture=True)
    content_loss: str = setting("mse", "Content loss", "how the generator's output is compared with the "
                                "real high-resolution image: mse (pixel mean squared error) or l1",
                                choices=("mse", "l1"), owner="variant")
    adv_weight: float = setting(1e-3, "Adversarial weight", "weight of the adversarial term beside the "
                                "content loss (the paper uses 0.001)", range=(0.0, 1.0), owner="variant",
                                fmt="%.5f")
    # image-to-image (pix2pix): the weight of the L1 distance to the target beside the adversarial term
    l1_weight: float = setting(100.0, "L1 weight (lambda)", "weight of the pixel-by-pixel distance to the "
                               "target beside the adversarial term (the paper uses 100)",
                               range=(0.0, 10_000.0), owner="variant", fmt="%.1f")
    pretrain_steps: int = setting(1000, "Content-only steps first",
                                  "steps that train the generator on the content loss alone, before the "
                                  "discriminator joins (the paper's SRResNet stage)",
                                  range=(0, 10_000_000), owner="variant")


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    steps: int = setting(3000, "Training steps", "how many generator updates to train for",
                         range=(1, 10_000_000), main=True)
    # checked at each quality measurement (quality/target.py): the run ends as finished when met
    stop_at_quality: str | None = setting(
        None, "Stop at quality", "end the run as soon as a quality measurement reaches this, e.g. "
        "label_accuracy>=0.95, modes>=8 or fcd<=2 (percentages also as 95%); empty: train all the steps",
        needs_quality=True, main=True)
    batch_size: int = setting(64, "Batch size", "examples per update, per process (with several "
                              "processes a step sees batch size x processes)", range=(1, 65_536), main=True)
    lr_g: float = setting(2e-4, "Generator learning rate", "generator learning rate",
                          range=(0.0, 1.0), above=True, fmt="%.5f", main=True)
    lr_d: float = setting(2e-4, "Discriminator learning rate", "discriminator learning rate",
                          range=(0.0, 1.0), above=True, fmt="%.5f", main=True)
    beta1: float = setting(0.5, "Adam beta1", "Adam's first momentum coefficient",
                           range=(0.0, 0.999999), fmt="%.3f")
    beta2: float = setting(0.999, "Adam beta2", "Adam's second momentum coefficient",
                           range=(0.0, 0.999999), fmt="%.3f")
    # training/lr_scaling.py: relative to the variant's own batch size for this data
    lr_batch_scaling: str = setting(
        "off", "Scale learning rates with the batch size",
        "when the batch size differs from the variant's default, multiply both learning rates by "
        "the ratio (linear) or its square root (sqrt); off: use the rates as set",
        choices=("off", "sqrt", "linear"))
    # training/augment.py: the same random, differentiable changes to real and generated images
    diffaugment: str | None = setting(
        None, "Differentiable augmentation (DiffAugment)",
        "augment every image the discriminator sees, real and generated alike (Zhao et al. 2020), "
        "so a small dataset is harder to memorise: a comma list of color, translation, cutout "
        "(e.g. color,translation,cutout); empty: off", words={None: "off"})
    n_critic: int = setting(1, "Critic steps per generator step",
                            "discriminator updates per generator update", range=(1, 100))
    lr_decay: bool = setting(False, "Decay learning rates to 0",
                             "lower both learning rates linearly to zero over the run")
    # training/ema.py: pictures, quality measurements and Generate use the average when it is on
    g_ema_decay: float = setting(0.0, "Generator weight averaging (EMA decay)",
                                 "keep an exponential moving average of the generator's weights "
                                 "and sample from it (e.g. 0.999; 0: off)",
                                 range=(0.0, 0.99999), fmt="%.5f")
    seed: int = setting(0, "Random seed", "random seed: the same seed on CPU gives the same run",
                        range=(0, 2**31 - 1), main=True)
    device: str = setting("auto", "Device", "auto (GPU when there is one), cpu, cuda or mps",
                          choices=("auto", "cpu", "cuda", "mps"))
    # metrics are the loop's only host sync, so this is also how often the loop waits for the device
    log_every: int = setting(50, "Record metrics every N steps", "record losses and scores every N steps",
                             range=(1, 1_000_000))
    sample_every: int = setting(500, "Picture every N steps",
                                "save a picture of the generator's progress every N steps",
                                range=(1, 10_000_000))
    eval_every: int = setting(
        1000, "Measure quality every N steps",
        "measure the quality of the samples every N steps, beside training, and at the end "
        "(0: never; runs shorter than N steps are not measured)", range=(0, 10_000_000))
    checkpoint_every: int = setting(1000, "Checkpoint every N steps", "save a checkpoint every N steps",
                                    range=(1, 10_000_000))
    keep_checkpoints: int = setting(3, "Older checkpoints kept",
                                    "how many older checkpoints to keep beside the latest",
                                    range=(0, 1000))
    # engine options (training/engine.py); "auto" picks what measured fastest for the device
    amp: str = setting("auto", "Mixed precision (GPU)", "mixed precision: auto (bf16 on a GPU), bf16 or off",
                       choices=("auto", "bf16", "off"))
    channels_last: str = setting(
        "auto", "Channels-last layout",
        "channels-last memory layout for conv networks (faster on a CPU and a GPU): auto (on), on or off",
        choices=("auto", "on", "off"))
    compile: bool = setting(False, "Compile the networks (torch.compile)",
                            "compile both networks with torch.compile (slow start, faster steps)")

    # ---- flat access: one namespace for CLI flags, form fields and error messages ----
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Inverse of to_dict; unknown keys are refused (a config from a newer/other tool)."""
        d = dict(d)
        model, data = dict(d.pop("model", {})), dict(d.pop("data", {}))
        for section, cls_, given in (("model", ModelConfig, model), ("data", DataConfig, data),
                                     (None, TrainConfig, d)):
            names = {f.name for f in fields(cls_)} - {"model", "data"}
            for key in given:
                if key not in names:
                    where = f"{section}." if section else ""
                    raise ConfigError(f"{where}{key}", "unknown setting in config")
        return cls(model=ModelConfig(**model), data=DataConfig(**data), **d)

    def flat(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("model", "data")}
        out.update(asdict(self.model))
        out.update(asdict(self.data))
        return out

    def replace(self, **changes) -> "TrainConfig":
        """A copy with flat fields changed (`cfg.replace(batch_size=128, variant="dcgan")`)."""
        flat = self.flat()
        for key in changes:
            if key not in flat:
                raise ConfigError(key, f"unknown setting; allowed: {', '.join(sorted(flat))}")
        flat.update(changes)
        return from_flat(flat)


_SECTIONS = (("train", TrainConfig), ("model", ModelConfig), ("data", DataConfig))
_TYPES = {"int": int, "float": float, "str": str, "bool": bool}


def _declared() -> dict[str, Setting]:
    out = {}
    for section, cls_ in _SECTIONS:
        for f in fields(cls_):
            if f.name in ("model", "data"):
                continue
            kinds = [part.strip() for part in str(f.type).split("|")]  # "int | None" -> int, nullable
            out[f.name] = f.metadata[KEY].bound(f.name, _TYPES[kinds[0]], "None" in kinds, section)
    return out


# Flat name -> its declaration, in the order train, model, data (the CLI's and the form's order).
SETTINGS: dict[str, Setting] = _declared()


def field_types() -> dict[str, type]:
    """Flat field name -> the Python type a value must have (None allowed where it is nullable)."""
    return {name: s.type for name, s in SETTINGS.items()}


def from_flat(flat: dict) -> TrainConfig:
    parts: dict[str, dict] = {"model": {}, "data": {}, "train": {}}
    for key, value in flat.items():
        parts[SETTINGS[key].section if key in SETTINGS else "train"][key] = value
    return TrainConfig(model=ModelConfig(**parts["model"]), data=DataConfig(**parts["data"]),
                       **parts["train"])
