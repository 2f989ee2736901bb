"""Importing this package registers every variant (one module each)."""
from . import cdcgan, cgan, dcgan, vanilla, wgan_gp  # noqa: F401
