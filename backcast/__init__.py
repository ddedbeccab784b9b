"""backcast: participatory backcasting workshops."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backcast")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
