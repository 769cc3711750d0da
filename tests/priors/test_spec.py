"""The dataset spec: declared bounds, TOML tables, 2.0's flat keys."""

import dataclasses
import math
import pickle
from pathlib import Path

import pytest

from GalCubeCraft.priors.spec import (
    TABLES,
    DatasetSpec,
    SpecError,
    declarations,
)
from GalCubeCraft.priors.spec.legacy import ADDED_KEYS, FLAT_ORDER, MOVED, RENAMED, TOP_LEVEL
from GalCubeCraft.priors.spec.toml import flat_toml

FLAT_2_0 = Path(__file__).parent / "data" / "spec_2_0_flat.toml"
"""A spec as 2.0's ``DatasetSpec.to_toml`` wrote it (and its stores recorded it)."""

FLAT_2_0_SPEC = DatasetSpec(
    n_cubes=2,
    seed=3,
    observation={"grid_size": 16, "n_chan": 4},
    galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0, "inclination_deg": (0.0, 85.0),
              "pa_deg": (0.0, 85.0), "v_0_kms": 200.0, "inclination_prior": "uniform"},
    noise={"peak_snr": (5.0, 20.0)},
    lens={"redshift": 0.4},
    interferometer={"duration_h": (0.5, 1.0), "hour_angle_centre_h": (-2.0, 1.0),
                    "weighting": "uniform"},
    render={"accuracy": "fast"},
)  # fmt: skip
"""The spec FLAT_2_0 holds, in tables."""


def _declared():
    """Yield ``(table, name, declaration, default)`` of every declared key, top level first."""
    for name, declared, default in declarations(DatasetSpec):
        yield "", name, declared, default
    for table, record in TABLES.items():
        for name, declared, default in declarations(record):
            yield table, name, declared, default


def _make(table, name, value):
    """Make the record of ``table`` (the spec itself at the top) with ``name = value``.

    A table's key is merged into its defaults as a TOML table is (naming one noise level
    clears the default peak S/N).
    """
    return DatasetSpec(**{name: value}) if not table else TABLES[table]().merged({name: value})


def _bound_cases():
    """Yield ``(table, name, declaration, outside, inside)`` for each declared bound."""
    for table, name, declared, _default in _declared():
        whole = declared.kind in ("int", "int_range")
        for bound, side in ((declared.low, -1), (declared.high, +1)):
            if bound is None:
                continue
            step = 1 if whole else max(abs(bound) * 1e-9, 1e-12)
            if side < 0 and declared.low_open:
                outside, inside = bound, bound + step
            else:
                outside, inside = bound + side * step, bound
            yield pytest.param(table, name, declared, outside, inside,
                               id=f"{table}.{name}:{'low' if side < 0 else 'high'}")  # fmt: skip


@pytest.mark.parametrize(("table", "name", "declared", "outside", "inside"), list(_bound_cases()))
def test_every_declared_bound_is_enforced(table, name, declared, outside, inside):
    """Just outside each declared bound is refused naming the key path and range; inside is kept."""
    key = f"{table}.{name}" if table else name
    value = (outside, outside) if "range" in declared.kind else outside
    with pytest.raises(ValueError) as info:
        _make(table, name, value)
    message = str(info.value)
    assert message.startswith(key) and declared.allowed in message, message
    assert info.value.key == key
    kept = _make(table, name, (inside, inside) if "range" in declared.kind else inside)
    assert getattr(kept, name) == ((inside, inside) if "range" in declared.kind else inside)


@pytest.mark.parametrize(
    ("table", "name", "declared"),
    [(t, n, d) for t, n, d, _v in _declared() if d.choices is not None],
)
def test_every_declared_choice_is_accepted_and_nothing_else(table, name, declared):
    """Each declared name is accepted; another is refused naming the key and the choices."""
    many = declared.kind == "names"
    key = f"{table}.{name}" if table else name
    for choice in declared.choices:
        assert getattr(_make(table, name, (choice,) if many else choice), name)
    with pytest.raises(ValueError, match=rf"^{key}(\[0\])? must be one of"):
        _make(table, name, ("nonesuch",) if many else "nonesuch")


def test_a_wrong_type_is_a_type_error_naming_the_key():
    """A string where a range goes is a TypeError that names the key path."""
    with pytest.raises(TypeError, match=r"^galaxies\.r_e_kpc must be a number or a \[min, max\]"):
        DatasetSpec(galaxies={"r_e_kpc": "wide"})


def test_cross_table_checks_name_the_key_paths():
    """A grid too small for the galaxies the priors may draw names both keys it couples."""
    with pytest.raises(SpecError) as info:
        DatasetSpec(observation={"grid_size": 16})
    assert info.value.key == "observation.grid_size"
    assert "galaxies.resolution up to 4" in str(info.value)


def test_toml_round_trip_is_exact(tmp_path):
    """Every table written to TOML reads back equal, from text and from a file."""
    spec = FLAT_2_0_SPEC.replace(
        features={"clump_count": (1.0, 3.0), "clump_fraction": 0.2, "asymmetric_drift": True,
                  "diffuse": {"tail_length_factor": 0.3}},
        galaxies={"resolution_cycle": (0.6, 0.9), "n_gals": (1, 2)},
        observation={"beam": (5.0, 3.0, 20.0), "line": "[CII]158", "line_spread": "hanning"},
        noise={"peak_snr": None},
    )  # fmt: skip
    text = spec.to_toml()
    assert "[features]" in text and "diffuse = { enabled = true" in text
    assert DatasetSpec.from_toml_text(text) == spec
    assert DatasetSpec.from_toml(spec.write_toml(tmp_path / "s.toml")) == spec
    assert pickle.loads(pickle.dumps(spec)) == spec


@pytest.mark.parametrize("flat", sorted(set(MOVED) - set(TOP_LEVEL)))
def test_a_flat_key_of_2_0_is_refused_naming_its_new_place(tmp_path, flat):
    """A spec file with a 2.0 flat key is refused, naming the file, the table and the new key."""
    table, key = MOVED[flat]
    path = tmp_path / "old.toml"
    path.write_text(f"n_cubes = 2\n{flat} = 1.0\n")
    with pytest.raises(ValueError) as info:
        DatasetSpec.from_toml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {flat} moved: write it")
    assert message.endswith(f"under [{table}]")
    assert (f"as {key} " in message) == (flat in RENAMED)


def test_a_whole_2_0_file_is_refused_naming_every_key_at_once(tmp_path):
    """One run names every flat key of a 2.0 file and its new place, not one key a run."""
    path = tmp_path / "old.toml"
    path.write_text(FLAT_2_0.read_text())
    with pytest.raises(ValueError) as info:
        DatasetSpec.from_toml(path)
    message = str(info.value)
    flat = [line.split(" = ")[0] for line in FLAT_2_0.read_text().splitlines() if " = " in line]
    moved = [key for key in flat if key not in TOP_LEVEL]
    assert len(moved) > 40
    assert all(f"{key} moved: write it" in message for key in moved)


def test_unknown_keys_are_refused_by_path_and_file(tmp_path):
    """An unknown table key, a table that is not one and a TOML syntax error name the file."""
    cases = {
        "[observation]\nn_chans = 4\n": "observation.n_chans is not a key of [observation]",
        "[galaxy]\nn_gals = 1\n": "galaxy is not a spec key",
        "observation = 4\n": "observation must be a table",
        "[observation\n": "Expected ']'",
    }
    for k, (text, words) in enumerate(cases.items()):
        path = tmp_path / f"bad{k}.toml"
        path.write_text(text)
        with pytest.raises((ValueError, TypeError)) as info:
            DatasetSpec.from_toml(path)
        assert str(info.value).startswith(f"{path}: ") and words in str(info.value)


def test_replace_changes_only_the_keys_given():
    """A table given to replace as a mapping keeps the table's other keys; unknown keys refused."""
    spec = FLAT_2_0_SPEC.replace(observation={"n_chan": 8})
    assert spec.observation.n_chan == 8 and spec.observation.grid_size == 16
    assert spec.differences(FLAT_2_0_SPEC) == {"observation.n_chan": (8, 4)}
    with pytest.raises(ValueError, match="observation.n_chans is not a key"):
        FLAT_2_0_SPEC.replace(observation={"n_chans": 8})


def test_a_stored_2_0_spec_reads_back_and_writes_back_byte_for_byte():
    """2.0's flat text reads as the same spec; its flat form is the stored text exactly."""
    text = FLAT_2_0.read_text()
    spec = DatasetSpec.from_stored(text)
    assert spec == FLAT_2_0_SPEC
    assert flat_toml(spec) == text  # what identifies a resumable run of cubes
    assert DatasetSpec.from_stored(spec.to_toml()) == spec
    with pytest.raises(ValueError, match="grid_size moved: write it under \\[observation\\]"):
        DatasetSpec.from_toml_text(text)  # a user's text must use the tables


def test_every_2_0_key_has_one_place():
    """The table of moves covers each of 2.0's 53 keys once, and each lands on a declared key.

    Every other declared key was added since, and says what its absence from a stored
    spec means (ADDED_KEYS).
    """
    declared = {(t, n) for t, n, _d, _v in _declared() if t}
    added = {tuple(path.split(".")) for path in ADDED_KEYS if "." in path}
    assert set(FLAT_ORDER) == set(MOVED) | set(TOP_LEVEL) and len(FLAT_ORDER) == 53
    assert set(MOVED.values()) == declared - added and len(MOVED) == len(declared - added)
    assert not set(MOVED.values()) & added
    top = {n for t, n, _d, _v in _declared() if not t}
    assert top == set(TOP_LEVEL) | {path for path in ADDED_KEYS if "." not in path}


def test_keys_added_since_2_0_enter_the_flat_form_only_where_they_differ_from_defaults():
    """A new key at its default leaves 2.0's flat text (a run's id); changed, it is appended."""
    spec = DatasetSpec.from_stored(FLAT_2_0.read_text())
    logged = spec.replace(noise={"distribution": "log-uniform"}, render={"rms_fraction": 0.05})
    added = flat_toml(logged).removeprefix(flat_toml(spec)).splitlines()
    assert added == ['noise.distribution = "log-uniform"', "render.rms_fraction = 0.05"]


def test_every_declaration_says_what_it_is():
    """Each declared key has help text, and each range's default lies in its bounds."""
    for table, name, declared, default in _declared():
        assert declared.help, (table, name)
        if declared.kind == "range":
            low = -math.inf if declared.low is None else declared.low
            high = math.inf if declared.high is None else declared.high
            assert default is None or low <= default[0] <= default[1] <= high, (table, name)
    assert all(dataclasses.is_dataclass(record) for record in TABLES.values())
