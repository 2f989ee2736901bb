"""Importing this package registers every variant (one module each)."""
from . import cdcgan, cgan, dcgan, pix2pix, srgan, vanilla, wgan_gp  # noqa: F401
