"""calmkit: an offline practice companion for children and teens with chronic pain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("calmkit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
