"""convert_units: a plain Python tool Lambda. It needs nothing from sfn-agents at run time."""

from __future__ import annotations

# Factors to a base unit per dimension: metres, kilograms.
_LINEAR = {
    "km": ("length", 1000.0),
    "m": ("length", 1.0),
    "mi": ("length", 1609.344),
    "nmi": ("length", 1852.0),  # added in 1.1.0
    "ft": ("length", 0.3048),
    "kg": ("mass", 1.0),
    "lb": ("mass", 0.45359237),
}


def convert(value: float, from_unit: str, to_unit: str) -> float:
    if {from_unit, to_unit} <= {"c", "f"}:
        celsius = value if from_unit == "c" else (value - 32) * 5 / 9
        return celsius if to_unit == "c" else celsius * 9 / 5 + 32
    try:
        (dim_a, fa), (dim_b, fb) = _LINEAR[from_unit], _LINEAR[to_unit]
    except KeyError as exc:
        raise ValueError(f"unknown unit {exc.args[0]!r}") from None
    if dim_a != dim_b:
        raise ValueError(f"cannot convert {dim_a} ({from_unit}) to {dim_b} ({to_unit})")
    return value * fa / fb


def handler(event: dict, context: object) -> dict:
    result = convert(float(event["value"]), event["from_unit"], event["to_unit"])
    return {"value": round(result, 4), "unit": event["to_unit"]}
