"""Amounts as Stripe counts them: in the currency's smallest unit, which for Stripe's
zero-decimal currencies (JPY, KRW, …) is the whole unit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
# The currencies a link may charge in; Stripe supports more, these cover our customers.
CURRENCIES = [
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "NZD",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "JPY",
    "KRW",
    "SGD",
    "HKD",
    "INR",
    "BRL",
    "MXN",
    "ZAR",
]
MAX_MINOR = 99_999_999  # Stripe's largest amount per charge, in minor units


class AmountError(ValueError):
    pass


def decimals(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def to_minor(text: str, currency: str) -> int:
    """``"12.50"`` USD → 1250; ``"1500"`` JPY → 1500. Raises :class:`AmountError` with what is
    wrong (not a number, negative, more decimals than the currency has, too large)."""
    places = decimals(currency)
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as exc:
        raise AmountError("Enter the price as a number, like 25 or 25.50.") from exc
    if not value.is_finite() or value <= 0:
        raise AmountError("Enter a price above zero.")
    minor = value * (10**places)
    if minor != minor.to_integral_value():
        if places == 0:
            raise AmountError(f"{currency.upper()} has no smaller unit: enter a whole amount.")
        raise AmountError(f"Enter at most {places} decimal places.")
    if minor > MAX_MINOR:
        raise AmountError("That price is higher than Stripe accepts for one payment.")
    return int(minor)


def from_minor(amount: int, currency: str) -> str:
    """1250 USD → ``"12.50"``; 1500 JPY → ``"1500"`` (what a form shows)."""
    places = decimals(currency)
    if places == 0:
        return str(amount)
    return f"{Decimal(amount) / (10**places):.{places}f}"


def display(amount: int, currency: str) -> str:
    """1250 USD → ``"12.50 USD"``; 1500 JPY → ``"1,500 JPY"`` (what people read)."""
    places = decimals(currency)
    number = Decimal(amount) / (10**places)
    return f"{number:,.{places}f} {currency.upper()}"
