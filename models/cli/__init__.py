"""The ``neucube`` command line (the console script runs :func:`main`)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
