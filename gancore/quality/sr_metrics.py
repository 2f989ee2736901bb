"""PSNR and SSIM as super-resolution papers report them (BasicSR's `calculate_psnr` /
`calculate_ssim` with `test_y_channel=True`): images saved as 8-bit, colour reduced to the Y
channel of YCbCr (ITU-R BT.601), `border` pixels cropped from each side (papers crop `scale`),
peak 255. SSIM is Wang et al. (2004): an 11 x 11 Gaussian window of sigma 1.5, K1 = 0.01,
K2 = 0.03, population (co)variances, averaged over the positions where the window fits inside
the image, which is exactly what skimage.metrics.structural_similarity(gaussian_weights=True,
sigma=1.5, use_sample_covariance=False, data_range=255) gives.

Pure torch on the images' own device, so a GPU run measures without a copy to the host. The maths
is in float64 (float32 on MPS, which lacks it): SSIM's variances are differences of squares near
255^2, which float32 would leave about 1e-4 off.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

PEAK = 255.0  # data range of 8-bit values
SSIM_SIDE = 11  # window side: radius int(3.5 * sigma + 0.5) = 5, as skimage and Wang et al.
SSIM_SIGMA = 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03
# BT.601 luma on [0, 1] RGB, giving Y in [16, 235] (BasicSR's rgb2ycbcr with y_only=True).
Y_WEIGHTS = (65.481, 128.553, 24.966)
Y_OFFSET = 16.0


def _work_dtype(device: torch.device) -> torch.dtype:
    return torch.float32 if device.type == "mps" else torch.float64


def quantise(images: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) in [-1, 1] -> the same shape, integer values in [0, 255] (as a saved PNG
    holds them), in the working float dtype."""
    x = images.detach().to(_work_dtype(images.device))
    return ((x.clamp(-1, 1) + 1) * 127.5).round()


def to_y(images: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) in [-1, 1] -> (N, 1, H, W): the Y channel, 16 + 65.481 R + 128.553 G
    + 24.966 B for R, G, B in [0, 1] (so in [16, 235] on the [0, 255] scale). Grey images
    (C = 1) pass through, moved to [0, 255]. Not rounded: BasicSR measures unrounded Y."""
    x = images.detach().to(_work_dtype(images.device))
    return _y_of_255((x + 1) * 127.5)


def _y_of_255(x: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) on the [0, 255] scale -> (N, 1, H, W) Y on the [0, 255] scale."""
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"expected (N, 1, H, W) or (N, 3, H, W) images, got {tuple(x.shape)}")
    if x.shape[1] == 1:
        return x
    w = torch.tensor(Y_WEIGHTS, dtype=x.dtype, device=x.device).view(1, 3, 1, 1) / PEAK
    return (x * w).sum(1, keepdim=True) + Y_OFFSET


def _prepared(sr: torch.Tensor, hr: torch.Tensor, border: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Both (N, C, H, W) in [-1, 1] -> their 8-bit Y channels, (N, 1, H - 2b, W - 2b)."""
    if sr.shape != hr.shape:
        raise ValueError(f"SR and HR images differ in shape: {tuple(sr.shape)} vs {tuple(hr.shape)}")
    if border < 0 or 2 * border >= min(sr.shape[2], sr.shape[3]):
        raise ValueError(f"a border of {border} leaves nothing of {sr.shape[2]} x {sr.shape[3]} images")
    ys = []
    for x in (sr, hr.to(sr.device)):
        if border:
            x = x[:, :, border:-border, border:-border]
        ys.append(_y_of_255(quantise(x)))
    return ys[0], ys[1]


def psnr(sr: torch.Tensor, hr: torch.Tensor, border: int = 0) -> torch.Tensor:
    """(N, C, H, W) pairs in [-1, 1] -> (N,) PSNR in dB of each image, on sr's device. Identical
    images give inf (as skimage and BasicSR's numpy version do): callers averaging over a set
    decide what an exact image counts as."""
    a, b = _prepared(sr, hr, border)
    mse = (a - b).pow(2).mean((1, 2, 3))  # (N,)
    return 10 * torch.log10(PEAK ** 2 / mse)  # mse 0 -> inf


def gaussian_window(dtype=torch.float64, device=None) -> torch.Tensor:
    """(11,) the normalised 1-D Gaussian; SSIM's 11 x 11 window is its outer product."""
    r = SSIM_SIDE // 2
    t = torch.arange(-r, r + 1, dtype=dtype, device=device)
    g = torch.exp(-t.pow(2) / (2 * SSIM_SIGMA ** 2))
    return g / g.sum()


def ssim(sr: torch.Tensor, hr: torch.Tensor, border: int = 0) -> torch.Tensor:
    """(N, C, H, W) pairs in [-1, 1] -> (N,) mean SSIM of each image (1 for identical ones), on
    sr's device. After cropping, each side must be at least 11 pixels (the window)."""
    a, b = _prepared(sr, hr, border)
    if min(a.shape[2], a.shape[3]) < SSIM_SIDE:
        raise ValueError(f"SSIM needs images of at least {SSIM_SIDE} x {SSIM_SIDE} pixels after the "
                         f"border crop, got {a.shape[2]} x {a.shape[3]}")
    g = gaussian_window(a.dtype, a.device)
    # The five local moments in one grouped, separable pass ("valid": only where the window fits).
    maps = torch.cat([a, b, a * a, b * b, a * b], 1)  # (N, 5, H, W)
    maps = F.conv2d(maps, g.view(1, 1, -1, 1).expand(5, 1, -1, 1), groups=5)  # down the rows
    mu_a, mu_b, aa, bb, ab = F.conv2d(maps, g.view(1, 1, 1, -1).expand(5, 1, 1, -1), groups=5).unbind(1)
    var_a, var_b, cov = aa - mu_a ** 2, bb - mu_b ** 2, ab - mu_a * mu_b  # (N, H - 10, W - 10) each
    c1, c2 = (SSIM_K1 * PEAK) ** 2, (SSIM_K2 * PEAK) ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return s.mean((1, 2))
