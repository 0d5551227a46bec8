"""Rates with 95% confidence intervals: how often, and how sure we are of it.

Wilson score intervals rather than the normal approximation (p ± z·√(p(1−p)/n)): evaluation
rates are often near 0 (a good model rarely fabricates) and groups can be small, where the
normal interval collapses to [0, 0] or leaves [0, 1]; Wilson's stays inside [0, 1] and keeps
its coverage for small counts (Brown, Cai & DasGupta 2001). A dozen lines, so no SciPy.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

# The standard normal quantile for a two-sided 95% interval.
Z_95 = 1.959963984540054


class Rate(BaseModel):
    """`count` of `of`, the share, and its 95% Wilson interval; all None when `of` is 0."""

    count: int
    of: int
    rate: float | None
    ci95: tuple[float, float] | None

    @classmethod
    def of_counts(cls, count: int, total: int) -> Rate:
        """`count` of `total` as a Rate with its Wilson interval (no rate when `total` is 0)."""
        if total == 0:
            return cls(count=count, of=total, rate=None, ci95=None)
        return cls(count=count, of=total, rate=count / total, ci95=wilson(count, total))


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for `successes` out of `trials` (trials > 0)."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(
            f"wilson: need 0 <= successes <= trials and trials > 0, got {successes}/{trials}"
        )
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)
