"""IIN (individual) and BIN (business) identification numbers of Kazakhstan.

Both are 12 digits with the same public check-digit algorithm: c = Σ d_i·i
(i = 1..11) mod 11; if c = 10, c = Σ d_i·w_i mod 11 with w = 3,4,…,11,1,2;
if that is 10 again the number is invalid; otherwise valid iff c = d12.
An IIN starts with the birth date YYMMDD; its 7th digit gives century and sex.
"""

from __future__ import annotations

from datetime import date

WEIGHTS_1 = tuple(range(1, 12))
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# 7th digit of an IIN -> century of birth (odd: male, even: female)
CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def check_digit(first11: str) -> int | None:
    """The 12th digit for these 11 digits, or None when no digit is possible."""
    digits = [int(ch) for ch in first11]
    c = sum(d * w for d, w in zip(digits, WEIGHTS_1, strict=True)) % 11
    if c == 10:
        c = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
    return None if c == 10 else c


def has_valid_checksum(number: object) -> bool:
    """True for a 12-digit string whose last digit matches the public checksum."""
    if not isinstance(number, str) or len(number) != 12 or not number.isdigit():
        return False
    return check_digit(number[:11]) == int(number[11])


def iin_birth_date(iin: str) -> date | None:
    """The birth date encoded in an IIN (None when the digits are not a date)."""
    century = CENTURY.get(iin[6:7])
    if century is None:
        return None
    try:
        return date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def is_valid_iin(iin: object) -> bool:
    """Checksum and an encoded birth date that exists."""
    return has_valid_checksum(iin) and iin_birth_date(iin) is not None  # type: ignore[arg-type]


def is_valid_bin(bin_: object) -> bool:
    """Checksum, a registration month 01-12 and a legal-entity type digit (4, 5 or 6)."""
    if not has_valid_checksum(bin_):
        return False
    assert isinstance(bin_, str)
    return 1 <= int(bin_[2:4]) <= 12 and bin_[4] in "456"


def complete(first11: str) -> str | None:
    """First 11 digits + their check digit (None when the 11 digits admit none)."""
    digit = check_digit(first11)
    return None if digit is None else f"{first11}{digit}"


def mask_iin(iin: object, visible: int = 4) -> str:
    """`********1234`: every digit but the last `visible` hidden (never log a full IIN)."""
    text = "" if iin is None else str(iin)
    if visible <= 0:
        return "*" * len(text)
    return "*" * max(len(text) - visible, 0) + text[-visible:]
