"""calmkit: an offline practice companion for children and teens with chronic pain."""

# The package version (pyproject.toml reads it from here).
__version__ = "0.1.0"
