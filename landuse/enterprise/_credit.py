"""The unified social credit code (统一社会信用代码) of GB 32100-2015: normalise and check.

A code has 18 characters: position 1 the registration authority (登记管理部门代码), 2 the
entity type (机构类别代码), 3–8 the administrative division of the registering office
(登记管理机关行政区划码, digits), 9–17 the organisation code (主体标识码), 18 the check
character (校验码). The alphabet is 0–9 and A–Z without I, O, S, V and Z: 31 characters with
the values 0–30. The check character is

    C18 = 31 − (Σ_{i=1..17} value(c_i) × w_i mod 31),  w_i = 3^(i−1) mod 31,

written 0 when the result is 31. Everything here works on whole columns: the codes become a
``(n, 18)`` array of byte values and the check is one matrix product.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Literal, overload

import numpy as np
import pandas as pd

from landuse.errors import LanduseWarning, SchemaError
from landuse.io import as_text

__all__ = [
    "ALPHABET",
    "WEIGHTS",
    "Errors",
    "check_characters",
    "describe_problems",
    "find_problems",
    "normalise_codes",
    "validate_credit_code",
]

#: The 31 characters of a credit code, in the order of their values 0–30.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1–17: w_i = 3^(i−1) mod 31.
WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
#: What :func:`validate_credit_code` does with bad codes.
Errors = Literal["raise", "coerce", "report"]
_ERRORS = ("raise", "coerce", "report")

_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(ALPHABET):
    _VALUE[ord(_c)] = _i
_WEIGHT_ARRAY = np.array(WEIGHTS, dtype=np.int64)
_ALPHABET_ARRAY = np.array(list(ALPHABET))

#: Full-width ASCII (ＡＢＣ，０１２) to half-width, the ideographic space to a space.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_CLASS = "0-9A-HJ-NPQRTUWXY"
_WELL_FORMED = rf"[{_CLASS}]{{2}}[0-9]{{6}}[{_CLASS}]{{10}}"
#: Text that normalisation leaves as it is: 18 upper-case letters or digits.
_CLEAN = r"[0-9A-Z]{18}"
_EXCLUDED_HINT = {"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"}

#: Columns of the problem table (``errors="report"``).
PROBLEM_COLUMNS = ("position", "code", "normalised", "problem", "expected", "message")


def normalise_codes(values: pd.Series) -> pd.Series:
    """Return the codes as text: whitespace removed, full-width → half-width, upper case.

    Missing values and null tokens (``""``, ``"无"``, ``"NULL"`` …) become missing.

    Examples
    --------
    >>> normalise_codes(pd.Series([" ９１４４０３００１９２２０３８２１６ ", "91x", None])).tolist()
    ['914403001922038216', '91X', nan]
    """
    text = as_text(values)
    # most codes arrive clean (from the readers, or from a previous call): only the others go
    # through the per-value translation (a regex match on the whole column is cheap)
    dirty = text.notna() & ~text.str.fullmatch(_CLEAN).fillna(False).astype(bool)
    if not dirty.any():
        return text
    fixed = text[dirty].str.translate(_HALF_WIDTH)
    fixed = fixed.str.replace(r"\s+", "", regex=True).str.upper()
    text = text.copy()
    text[dirty] = fixed.mask(fixed == "")
    return text


def check_characters(codes: Iterable[str]) -> np.ndarray:
    """Return the expected check character of each well-formed code (its first 17 used).

    Every code must be 18 characters of :data:`ALPHABET` (positions 3–8 digits or not).

    Examples
    --------
    >>> check_characters(["914403001922038216", "91440300192203821X"]).tolist()
    ['6', '6']
    """
    joined = "".join(codes)
    if not joined:
        return np.array([], dtype="<U1")
    raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    values = _VALUE[raw[:, :17]]
    index = (31 - (values @ _WEIGHT_ARRAY) % 31) % 31
    return _ALPHABET_ARRAY[index]


def find_problems(raw: pd.Series, codes: pd.Series) -> pd.DataFrame:
    """Return one row per bad code: what is wrong with it, indexed like ``raw``.

    ``raw`` are the codes as given, ``codes`` the same after :func:`normalise_codes`.
    Columns: ``position`` (0-based row position), ``code`` (as given), ``normalised``,
    ``problem`` (``missing``, ``length``, ``character``, ``division``, ``check``),
    ``expected`` (the check character the first 17 give, for ``check``) and ``message``.
    Each code gets its first problem in that order.
    """
    position = pd.Series(np.arange(len(codes)), index=codes.index)
    missing = codes.isna()
    text = codes.fillna("")
    length = text.str.len()
    bad_length = ~missing & (length != 18)
    rest = ~missing & ~bad_length
    bad_char = text.str.extract(rf"([^{_CLASS}])", expand=False)
    has_bad_char = rest & bad_char.notna()
    well_formed = text.str.fullmatch(_WELL_FORMED).fillna(False).astype(bool)
    bad_division = rest & ~has_bad_char & ~well_formed
    candidates = rest & ~has_bad_char
    expected = pd.Series(np.nan, index=codes.index, dtype=object)
    if candidates.any():
        expected[candidates] = check_characters(text[candidates].tolist())
    bad_check = candidates & ~bad_division & (text.str[17] != expected)
    kind = pd.Series(None, index=codes.index, dtype=object)
    for name, mask in (
        ("check", bad_check),
        ("division", bad_division),
        ("character", has_bad_char),
        ("length", bad_length),
        ("missing", missing),
    ):
        kind[mask] = name
    bad = kind.notna()
    out = pd.DataFrame(
        {
            "position": position[bad],
            "code": raw[bad].astype(object),
            "normalised": codes[bad].astype(object),
            "problem": kind[bad],
            "expected": expected[bad].where(bad_check[bad]),
        }
    )
    out["message"] = [
        _message(row.problem, row.normalised, row.expected) for row in out.itertuples()
    ]
    return out.loc[:, list(PROBLEM_COLUMNS)]


def _message(problem: str, code: object, expected: object) -> str:
    """Say what is wrong with one code (called for the bad codes only)."""
    text = "" if not isinstance(code, str) else code
    if problem == "missing":
        return "no code"
    if problem == "length":
        return f"has {len(text)} characters, not 18"
    if problem == "character":
        pos, char = next((i, c) for i, c in enumerate(text) if c not in ALPHABET)
        hint = _EXCLUDED_HINT.get(char)
        why = (
            f"I, O, S, V and Z are not used in credit codes (is it {hint!r}?)"
            if hint
            else "only 0-9 and A-Z without I, O, S, V, Z are used"
        )
        return f"character {char!r} at position {pos + 1} is not allowed: {why}"
    if problem == "division":
        return f"positions 3-8 (administrative division code) must be digits, not {text[2:8]!r}"
    found = f"check character (position 18) is {text[17]!r}, expected {expected!r}"
    if text.isdigit():  # Excel keeps 15 significant digits of a number
        found += (
            " (codes kept as numbers, e.g. in Excel, lose their last digits: keep them as text)"
        )
    return found


def describe_problems(
    problems: pd.DataFrame, *, total: int, labels: pd.Series | None = None, limit: int = 5
) -> str:
    """Write the first ``limit`` problems as one sentence: count, rows, codes, what is wrong.

    ``labels`` (on the same index, e.g. enterprise names) are shown beside each row.
    """
    shown = []
    for idx, row in problems.head(limit).iterrows():
        label = f" ({labels[idx]})" if labels is not None and pd.notna(labels[idx]) else ""
        code = "" if pd.isna(row["code"]) else f" {str(row['code'])!r}"
        shown.append(f"row {idx}{label}{code}: {row['message']}")
    more = f"; … (+{len(problems) - limit} more)" if len(problems) > limit else ""
    return (
        f"{len(problems)} of {total} unified social credit codes (统一社会信用代码) are not valid "
        f"GB 32100-2015 codes: {'; '.join(shown)}{more}"
    )


_HOW_TO_FIX = (
    "Check them against the business licence or the national enterprise credit information "
    "system (a wrong check character usually means one mistyped character), fix the source, "
    "or pass errors='coerce' to set them missing (errors='report' lists every problem)."
)


@overload
def validate_credit_code(codes: str, *, errors: Literal["raise", "coerce"] = ...) -> str | None: ...
@overload
def validate_credit_code(
    codes: pd.Series | Iterable[str], *, errors: Literal["raise", "coerce"] = ...
) -> pd.Series: ...
@overload
def validate_credit_code(
    codes: str | pd.Series | Iterable[str], *, errors: Literal["report"]
) -> pd.DataFrame: ...


def validate_credit_code(
    codes: str | pd.Series | Iterable[str], *, errors: Errors = "raise"
) -> str | pd.Series | pd.DataFrame | None:
    r"""Normalise and check unified social credit codes (统一社会信用代码, GB 32100-2015).

    Each code is normalised first: whitespace removed (also inside the code), full-width
    characters (``ＡＢＣ``, ``０１２``) made half-width, lower case made upper case. It is then
    checked: 18 characters, all from the code alphabet (0–9 and A–Z without I, O, S, V, Z),
    positions 3–8 (the administrative division code) digits, and the check character.

    Parameters
    ----------
    codes
        One code, or a column (a Series keeps its index; other iterables get 0…n-1).
    errors
        ``"raise"`` (default): a :class:`~landuse.errors.SchemaError` naming how many codes
        are bad and, for the first five, their row, the code and what is wrong (the wrong
        length, the refused character, or the check character that was expected).
        ``"coerce"``: bad codes become missing, with a :class:`~landuse.errors.LanduseWarning`
        saying which. ``"report"``: return the table of problems instead of the codes.

    Returns
    -------
    pandas.Series or str or pandas.DataFrame
        The normalised codes, on the input's index (one code in, one code out; ``None`` for
        a bad one under ``"coerce"``). With ``errors="report"``: a DataFrame indexed like the
        bad rows with ``position`` (0-based), ``code`` (as given), ``normalised``,
        ``problem`` (``missing``, ``length``, ``character``, ``division`` or ``check``),
        ``expected`` (the right check character, for ``check``) and ``message``; empty if
        every code is valid.

    Raises
    ------
    SchemaError
        Bad codes with ``errors="raise"``; a missing code counts as bad.
    ValueError
        ``errors`` is not one of the three choices.

    See Also
    --------
    read_enterprises : reads enterprise tables and validates their codes with this.

    Notes
    -----
    The check character is

    .. math:: C_{18} = 31 - \left(\sum_{i=1}^{17} v(c_i)\, w_i \bmod 31\right),
              \qquad w_i = 3^{i-1} \bmod 31,

    written ``0`` when the result is 31, where :math:`v` gives the alphabet value
    (0–9, then A=10 … Y=30). Some codes issued by early pilot offices before the standard
    (e.g. Xiamen codes with ``M000`` at positions 9–12) do not satisfy the check although
    they were issued; they are reported like any other, so use ``errors="report"`` and
    confirm such codes with the registering office.

    Examples
    --------
    >>> from landuse.enterprise import validate_credit_code
    >>> validate_credit_code(" ９１４４０３００１９２２０３８２１６ ")
    '914403001922038216'
    >>> codes = pd.Series(["91330201ma282uf146", "914403001922038217", "91440300192203821O"])
    >>> validate_credit_code(codes, errors="report")[["problem", "expected"]]
         problem expected
    1      check        6
    2  character      NaN
    >>> validate_credit_code(codes[:2])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    landuse.errors.SchemaError: 1 of 2 unified social credit codes (统一社会信用代码) are not valid GB 32100-2015 codes: row 1 '914403001922038217': check character (position 18) is '7', expected '6' ...
    """
    if errors not in _ERRORS:
        msg = (
            f"`errors` passed to validate_credit_code() must be one of {', '.join(_ERRORS)}; "
            f"received {errors!r}."
        )
        raise ValueError(msg)
    scalar = isinstance(codes, str)
    raw = pd.Series([codes] if scalar else codes) if not isinstance(codes, pd.Series) else codes
    normalised = normalise_codes(raw)
    problems = find_problems(raw, normalised)
    if errors == "report":
        return problems
    if not problems.empty:
        text = describe_problems(problems, total=len(raw))
        if errors == "raise":
            msg = f"{text}. {_HOW_TO_FIX}"
            raise SchemaError(msg)
        warnings.warn(f"{text}; set to missing (errors='coerce').", LanduseWarning, stacklevel=2)
        normalised = normalised.mask(normalised.index.isin(problems.index))
    if scalar:
        value = normalised.iloc[0]
        return None if pd.isna(value) else str(value)
    return normalised
