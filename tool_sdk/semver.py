"""SemVer 2.0.0 versions and the npm-style ranges agent specs use (``^1.2``, ``~1.4.0``, ``>=1 <3``).

Small and dependency-free on purpose: it runs inside tool Lambdas and the control plane.

Build metadata: SemVer §10 ignores it for precedence, so ``1.0.0`` and ``1.0.0+evil`` sort alike.
Tool manifests may not carry it (``tool_sdk.manifest`` rejects ``+…`` versions), and an exact pin
(``tool@1.0.0``, ``=1.0.0``) matches only a version with the same build metadata: no ``+anything``
can stand in for a pinned release. Ranges (``^1``, ``>=1.0.0``) follow precedence as SemVer says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

__all__ = ["SEMVER_PATTERN", "SemVer", "SemVerRange", "is_semver", "max_satisfying"]

# The official SemVer 2.0.0 regular expression (semver.org, "Is there a suggested regular expression").
SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
_SEMVER_RE = re.compile(SEMVER_PATTERN)
_PARTIAL_RE = re.compile(r"^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$")


def is_semver(text: str) -> bool:
    return bool(_SEMVER_RE.match(text))


@total_ordering
@dataclass(frozen=True)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> SemVer:
        m = _SEMVER_RE.match(text)
        if not m:
            raise ValueError(f"not a SemVer 2.0.0 version: {text!r}")
        pre = tuple(m.group(4).split(".")) if m.group(4) else ()
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)), pre, m.group(5) or "")

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        return text + (f"+{self.build}" if self.build else "")

    def _key(self) -> tuple:
        # Precedence per SemVer §11: build metadata is ignored; a prerelease sorts before its release;
        # numeric identifiers sort numerically and before alphanumeric ones.
        pre: tuple = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


_Comparator = tuple[str, SemVer]


@dataclass(frozen=True)
class SemVerRange:
    """A range: ``*``, ``1.2.3``, ``^1.2``, ``~1.2``, ``>=1.0.0 <2``, ``1.x`` and ``||`` unions.

    As in npm, a prerelease version only satisfies a range that names a prerelease of the same
    ``major.minor.patch``; otherwise ranges select releases only.
    """

    text: str
    alternatives: tuple[tuple[_Comparator, ...], ...]

    @classmethod
    def parse(cls, text: str) -> SemVerRange:
        raw = text.strip()
        if not raw:
            raise ValueError("empty version range")
        alternatives = tuple(_parse_set(part.strip()) for part in raw.split("||"))
        return cls(raw, alternatives)

    def contains(self, version: SemVer | str) -> bool:
        v = SemVer.parse(version) if isinstance(version, str) else version
        return any(_satisfies(v, comparators) for comparators in self.alternatives)

    def __str__(self) -> str:
        return self.text


def max_satisfying(versions: list[str], range_text: str) -> str | None:
    """The highest of ``versions`` inside ``range_text`` (non-SemVer entries are ignored)."""
    rng = SemVerRange.parse(range_text)
    best: SemVer | None = None
    best_text = None
    for text in versions:
        if not is_semver(text):
            continue
        v = SemVer.parse(text)
        if rng.contains(v) and (best is None or v > best):
            best, best_text = v, text
    return best_text


def _satisfies(v: SemVer, comparators: tuple[_Comparator, ...]) -> bool:
    for op, bound in comparators:
        ok = {
            ">=": v >= bound,
            ">": v > bound,
            "<=": v <= bound,
            "<": v < bound,
            "=": v == bound and v.build == bound.build,  # exact pins: build metadata too
        }[op]
        if not ok:
            return False
    if v.prerelease:
        return any(
            b.prerelease and (b.major, b.minor, b.patch) == (v.major, v.minor, v.patch)
            for _, b in comparators
        )
    return True


def _parse_set(text: str) -> tuple[_Comparator, ...]:
    if text in ("", "*", "x", "X"):
        return ((">=", SemVer(0, 0, 0)),)
    hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", text)
    if hyphen:
        low, _ = _partial(hyphen.group(1))
        return ((">=", low), *_upper_inclusive(hyphen.group(2)))
    out: list[_Comparator] = []
    for token in re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", text).split():
        out.extend(_parse_token(token))
    return tuple(out)


def _partial(text: str) -> tuple[SemVer, int]:
    """Parse a possibly partial version; returns the floor and how many parts were given."""
    m = _PARTIAL_RE.match(text)
    if not m:
        raise ValueError(f"not a version in a range: {text!r}")
    parts = [g for g in m.groups()[:3] if g is not None and g not in ("x", "X", "*")]
    nums = [int(p) for p in parts] + [0] * (3 - len(parts))
    pre = tuple(m.group(4).split(".")) if m.group(4) and len(parts) == 3 else ()
    return SemVer(nums[0], nums[1], nums[2], pre), len(parts)


def _upper_inclusive(text: str) -> list[_Comparator]:
    v, given = _partial(text)
    if given == 3:
        return [("<=", v)]
    if given == 2:
        return [("<", SemVer(v.major, v.minor + 1, 0, ("0",)))]
    if given == 1:
        return [("<", SemVer(v.major + 1, 0, 0, ("0",)))]
    return []


def _parse_token(token: str) -> list[_Comparator]:
    for op in (">=", "<=", ">", "<", "="):
        if token.startswith(op):
            v, given = _partial(token[len(op) :])
            if op in ("<=", ">") and given < 3:
                # "<=1.2" means "<1.3.0-0"; ">1.2" means ">=1.3.0".
                up = _upper_inclusive(token[len(op) :])
                return up if op == "<=" else [(">=", up[0][1]) if up else (">=", v)]
            return [(op, v)]
    if token.startswith("^"):
        v, given = _partial(token[1:])
        if v.major > 0 or given == 1:
            top = SemVer(v.major + 1, 0, 0, ("0",))
        elif v.minor > 0 or given == 2:
            top = SemVer(0, v.minor + 1, 0, ("0",))
        else:
            top = SemVer(0, 0, v.patch + 1, ("0",))
        return [(">=", v), ("<", top)]
    if token.startswith("~"):
        v, given = _partial(token[1:])
        top = SemVer(v.major + 1, 0, 0, ("0",)) if given == 1 else SemVer(v.major, v.minor + 1, 0, ("0",))
        return [(">=", v), ("<", top)]
    v, given = _partial(token)
    if given == 3:
        return [("=", v)]
    return [(">=", v), *_upper_inclusive(token)]
