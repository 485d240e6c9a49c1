"""When two plant names are one plant: the key the run store keeps a plant's history under."""

from __future__ import annotations

import pytest

from planner.runs.plants import plant_key


@pytest.mark.parametrize(
    "names",
    [
        ["example_small", "example-small", "Example-Small", "example small", "EXAMPLE.SMALL"],
        ["north", "North", " north ", "_north.", "NORTH\t"],
        ["plant a-2", "Plant_A 2", "plant  a__2", "plant-_ .a--2"],
        ["Straße", "STRASSE", "strasse"],
    ],
)
def test_spellings_of_one_plant_have_one_key(names: list[str]) -> None:
    assert len({plant_key(name) for name in names}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("north", "north2"),
        ("north", "south"),
        ("example_small", "examplesmall"),
        ("plant a", "plant b"),
        ("plant-1", "plant-1b"),
    ],
)
def test_different_plants_have_different_keys(one: str, other: str) -> None:
    assert plant_key(one) != plant_key(other)


def test_a_key_is_the_folded_name_with_one_separator() -> None:
    assert plant_key("  Example__Small..North  ") == "example-small-north"
    assert plant_key("north") == "north"
