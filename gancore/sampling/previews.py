"""The trainer's progress picture, as each kind of generator input calls for. A variant names its
preview class in its registration (`preview=`); the trainer builds it once with fixed inputs, so
successive pictures show the same samples improving (as pytorch/examples does with fixed noise),
and calls `draw(generator)` every `sample_every` steps: the picture, and for noise inputs the
spread of the fixed samples against the real data's (the health watch's live sign of mode
collapse: a collapsed generator maps all its noise to a few outputs, so the spread falls to ~0).
"""
from __future__ import annotations

import torch

from ..data.base import Dataset
from .draw import fixed_inputs, generate
from .pictures import preview_png

PREVIEW_POINTS = 1000  # generated points in a 2D preview scatter
PREVIEW_IMAGES = 64  # 8 x 8 grid for unconditional image variants
PREVIEW_COLS_PER_CLASS = 10  # one row per class for conditional variants


def spread(samples: torch.Tensor) -> float:
    """(N, ...) -> the mean over features of their standard deviation over the N samples."""
    return float(samples.flatten(1).float().std(0).mean())


class NoisePreview:
    """Fixed noise: an 8 x 8 grid, one row per class for conditional images, or a scatter of
    generated over real points."""

    def __init__(self, generator: torch.nn.Module, data: Dataset, conditional: bool, device, seed: int):
        self.data, self.info = data, data.info
        self.z, self.y = fixed_inputs(
            generator, self.info, conditional, device, seed,
            n=PREVIEW_POINTS if self.info.kind == "points" else PREVIEW_IMAGES,
            per_class=PREVIEW_COLS_PER_CLASS)
        # as many real samples as fixed inputs, drawn once with the preview's own seed
        pick = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:len(self.z)]
        self.real_spread = spread(data.x[pick.to(data.x.device)].cpu())

    def draw(self, generator: torch.nn.Module) -> tuple[bytes, float | None]:
        """The picture, and the fixed samples' spread over the real data's (1 = as varied)."""
        fake = generate(generator, self.z, self.y)
        ratio = spread(fake) / self.real_spread if self.real_spread > 0 else None
        return preview_png(fake, self.info, self.data, self.y), ratio

    def png(self, generator: torch.nn.Module) -> bytes:
        return self.draw(generator)[0]

    @staticmethod
    def words(kind: str, conditional: bool) -> str:
        """What the picture shows, for people who don't program (reports)."""
        if kind == "points":
            return ("Generated points (red) drawn over real ones (grey): a good generator covers every "
                    "cluster of the real data, not just a few.")
        if conditional:
            return ("Each row is one class, asked for by its label: a good generator draws the class it "
                    "is asked for, and varied examples of it along the row.")
        return "An 8 x 8 grid of generated images from the same fixed noise each time, so you can watch them improve."


class LowResPreview:
    """Fixed images, one row each: the low-resolution input (enlarged by repeating pixels),
    bicubic upscaling, the generator's result and the real high-resolution image. From the
    dataset's held-out images when it has them (their centre crops), else its first images."""

    ROWS = 4

    def __init__(self, generator: torch.nn.Module, data: Dataset, conditional: bool, device, seed: int):
        from ..data.resample import downscale

        self.info, self.scale = data.info, generator.scale
        side = data.info.shape[-1]
        if getattr(data, "held_out", None):
            hr = torch.stack([_centre_crop(img, side) for img in data.held_out[:self.ROWS]])
        else:
            hr = data.x[:self.ROWS].float()
        self.hr = hr.to(device)  # (R, C, S, S)
        self.lr = downscale(self.hr, self.scale)  # (R, C, S/scale, S/scale)

    @staticmethod
    def words(kind: str, conditional: bool) -> str:
        """What the picture shows, for people who don't program (reports)."""
        return ("Each row is one image: the small input (its pixels enlarged), plain bicubic "
                "enlarging, the generator's upscaling, and the real full-size image. A good "
                "generator's column looks closer to the real one than bicubic's.")

    def draw(self, generator: torch.nn.Module) -> tuple[bytes, None]:
        """The picture; no spread: each output follows its own input, so variety is the inputs'."""
        return self.png(generator), None

    def png(self, generator: torch.nn.Module) -> bytes:
        from ..data.resample import upscale
        from .pictures import image_grid, png_bytes, to_uint8

        sr = generate(generator, self.lr, None)  # (R, C, S, S) on the CPU
        columns = [upscale(self.lr, self.scale, "nearest").cpu(), upscale(self.lr, self.scale).cpu(),
                   sr, self.hr.float().cpu()]
        rows = torch.stack(columns, dim=1).flatten(0, 1)  # (R * 4, C, S, S), row-major
        side = self.info.shape[-1]
        return png_bytes(image_grid(to_uint8(rows), nrow=len(columns), upscale=max(1, 128 // side)))


class PairedPreview:
    """Fixed held-out pairs, one row each: the input, the generator's translation and the real
    target. From the dataset's held-out pairs when it has them, else its first pairs."""

    ROWS = 8

    def __init__(self, generator: torch.nn.Module, data: Dataset, conditional: bool, device, seed: int):
        pairs = getattr(data, "held_out_pairs", None)
        if pairs is not None and len(pairs):
            inputs, targets = pairs.inputs[:self.ROWS], pairs.targets[:self.ROWS]
        else:
            inputs, targets = data.y[:self.ROWS], data.x[:self.ROWS]
        self.info = data.info
        self.inputs = inputs.float().to(device)  # (R, C_in, H, W)
        self.targets = targets.float().cpu()  # (R, C, H, W)

    @staticmethod
    def words(kind: str, conditional: bool) -> str:
        """What the picture shows, for people who don't program (reports)."""
        return ("Each row is one example the generator never trained on: the input, the generator's "
                "translation, and the real target. A good generator's middle column looks like the "
                "right-hand one.")

    def draw(self, generator: torch.nn.Module) -> tuple[bytes, None]:
        """The picture; no spread: each output follows its own input."""
        return self.png(generator), None

    def png(self, generator: torch.nn.Module) -> bytes:
        from .pictures import image_grid, png_bytes, to_uint8

        fake = generate(generator, self.inputs, None)  # (R, C, H, W) on the CPU
        rows = side_by_side([self.inputs.cpu(), fake, self.targets])  # (R * 3, C', H, W)
        side = self.info.shape[-1]
        return png_bytes(image_grid(to_uint8(rows), nrow=3, upscale=max(1, 128 // side)))


def side_by_side(columns: list[torch.Tensor]) -> torch.Tensor:
    """Columns of (R, C_i, H, W) images -> (R * len(columns), C, H, W) row-major, grey ones
    repeated to colour when any column is in colour (a grey sketch beside a colour photo)."""
    channels = max(c.shape[1] for c in columns)
    columns = [c.expand(-1, channels, -1, -1) if c.shape[1] == 1 else c for c in columns]
    return torch.stack(columns, dim=1).flatten(0, 1)


def _centre_crop(img: torch.Tensor, side: int) -> torch.Tensor:
    """(C, H, W) -> (C, side, side) from its middle (the whole image when smaller: resized)."""
    _, h, w = img.shape
    if h < side or w < side:
        return torch.nn.functional.interpolate(img[None], size=(side, side), mode="bicubic",
                                               antialias=True, align_corners=False)[0].clamp(-1, 1)
    top, left = (h - side) // 2, (w - side) // 2
    return img[:, top:top + side, left:left + side]
