"""Importing this package registers every variant (one module each)."""
from . import cdcgan, cgan, dcgan, srgan, vanilla, wgan_gp  # noqa: F401
