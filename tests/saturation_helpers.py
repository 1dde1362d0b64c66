"""Shared fixtures of the saturation tests: a unit builder and a small hand-worked example."""

from __future__ import annotations

import numpy as np

from themecode.saturation.analysis import Unit, incidence, new_per_unit


def U(uid: str, *codes: str) -> Unit:
    """A unit with the given codes."""
    return Unit(uid, frozenset(codes))


# u1 {a,b}  u2 {b,c}  u3 {a}  u4 {d}  u5 {a,b}: new = 2,1,0,1,0; y = a3 b3 c1 d1; T = 5
SMALL = [U("u1", "a", "b"), U("u2", "b", "c"), U("u3", "a"), U("u4", "d"), U("u5", "a", "b")]


def small_new() -> np.ndarray:
    """New codes per unit of SMALL."""
    return new_per_unit(incidence(SMALL)[0])
