"""The sample estate of INTER INTERIM: a deterministic generator of realistic exports.

``generate(out_dir, scale=1, seed=42)`` writes the estate and returns a summary;
``python -m rgpd_audit.sample.generator`` is the command line.
"""

from .common import SAMPLE_AS_OF

__all__ = ["SAMPLE_AS_OF", "generate"]


def generate(out_dir, scale: int = 1, seed: int = 42) -> dict:
    """Write the sample estate into ``out_dir``; see :func:`rgpd_audit.sample.generator.generate`."""
    from .generator import generate as _generate

    return _generate(out_dir, scale, seed)
