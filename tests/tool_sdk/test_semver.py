from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tool_sdk.semver import SemVer, SemVerRange, is_semver, max_satisfying

versions = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-{pre}" if pre else ""),
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from(["", "alpha", "alpha.1", "beta.2", "rc.1", "0"]),
)


def test_precedence_follows_the_spec():
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
        "2.0.0",
    ]
    parsed = [SemVer.parse(v) for v in ordered]
    assert sorted(reversed(parsed)) == parsed
    assert SemVer.parse("1.0.0+build.1") == SemVer.parse("1.0.0")


@pytest.mark.parametrize("text", ["1", "1.0", "01.0.0", "1.0.0-", "1.0.0-01", "v1.0.0", "1.0.0+"])
def test_rejects_non_semver(text):
    assert not is_semver(text)
    with pytest.raises(ValueError):
        SemVer.parse(text)


@pytest.mark.parametrize(
    ("rng", "inside", "outside"),
    [
        ("^1.2", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0", "2.0.0-rc.1", "1.3.0-beta"]),
        ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4"]),
        ("~1.4", ["1.4.0", "1.4.7"], ["1.5.0"]),
        (">=1.0.0 <2", ["1.0.0", "1.99.0"], ["2.0.0", "0.9.0"]),
        ("1.x", ["1.0.0", "1.5.0"], ["2.0.0"]),
        ("*", ["0.0.1", "9.9.9"], ["1.0.0-rc.1"]),
        ("1.2.3", ["1.2.3"], ["1.2.4"]),
        ("^1 || ^3", ["1.1.0", "3.0.0"], ["2.0.0"]),
        ("^2.0.0-rc.1", ["2.0.0-rc.2", "2.0.0", "2.1.0"], ["2.1.0-rc.1", "1.9.0"]),
        ("1.0.0 - 1.2", ["1.0.0", "1.2.9"], ["1.3.0"]),
    ],
)
def test_ranges(rng, inside, outside):
    r = SemVerRange.parse(rng)
    assert all(r.contains(v) for v in inside)
    assert not any(r.contains(v) for v in outside)


def test_max_satisfying_ignores_junk():
    assert max_satisfying(["1.0.0", "1.4.0", "2.0.0", "latest", "1.5.0-rc.1"], "^1") == "1.4.0"
    assert max_satisfying(["2.0.0"], "^1") is None


@given(versions)
def test_parse_str_round_trip(v):
    assert str(SemVer.parse(v)) == v


@given(versions, versions)
def test_caret_range_is_consistent_with_ordering(a, b):
    va, vb = SemVer.parse(a), SemVer.parse(b)
    if not va.prerelease and not vb.prerelease and va.major > 0 and SemVerRange.parse(f"^{a}").contains(vb):
        assert vb >= va and vb.major == va.major


def test_exact_pins_compare_build_metadata():
    pin = SemVerRange.parse("1.0.0")
    assert pin.contains("1.0.0")
    assert not pin.contains("1.0.0+evil")  # SemVer precedence ignores it; an exact pin must not
    assert not SemVerRange.parse("=1.0.0").contains("1.0.0+build.7")
    assert max_satisfying(["1.0.0+evil", "1.0.0"], "1.0.0") == "1.0.0"
    assert max_satisfying(["1.0.0+evil"], "1.0.0") is None
    assert SemVerRange.parse("^1").contains("1.0.0+evil")  # ranges follow precedence, as SemVer says
