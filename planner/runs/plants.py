"""When two plant names are one plant: the key the run store keeps a plant's history under.

The standard library only, so that the store's migrations can import it.
"""

from __future__ import annotations

import re

__all__ = ["MAX_KEY_LENGTH", "plant_key"]

MAX_KEY_LENGTH = 600
"""Longest key of a plant name of up to 200 characters (case folding makes ``ß`` ``ss``)."""

_SEPARATORS = re.compile(r"[\s\-_.]+")


def plant_key(name: str) -> str:
    """The key of a plant name: the same key, the same plant.

    The name with its case folded and every run of spaces, hyphens,
    underscores and dots made one ``-``, none at either end:
    ``example_small``, ``Example-Small`` and ``example small`` are all
    ``example-small``; ``north`` and ``north2`` stay two plants.

    A plant is named in several places (the weekly run's configuration, the
    web page's ``plant`` field or else the uploaded file's name), often
    with different separators or capitals. The run store finds, compares and
    measures runs by this key, so that one plant keeps one history, and its
    plan nervousness is measured against its own previous run, whichever
    way it was spelled.
    """
    return _SEPARATORS.sub("-", name.casefold()).strip("-")
