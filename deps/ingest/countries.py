"""Country codes: ISO 3166-1 alpha-3 via pycountry, plus the few statistical codes real datasets use.

Trade and governance datasets use a handful of codes that are not ISO 3166-1 (BACI's ``S19`` "Other Asia, not
elsewhere specified", the World Bank's ``R20`` and ``PUS`` groupings, the former Netherlands Antilles ``ANT``).
They are accepted as economies with a documented name, never silently.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

__all__ = ["EXTRA_CODES", "country_name", "known_codes"]

#: Codes outside current ISO 3166-1 that public datasets use, with the name and where they come from.
EXTRA_CODES: dict[str, str] = {
    "S19": "Other Asia, not elsewhere specified (CEPII BACI; in practice Taiwan's reported trade)",
    "R20": "Europe EFTA, not elsewhere specified (World Bank WGI grouping)",
    "PUS": "US Miscellaneous Pacific Islands (World Bank WGI grouping)",
    "ANT": "Netherlands Antilles (dissolved 2010; ISO 3166-3)",
    "XKX": "Kosovo (user-assigned code used by the EU and the IMF)",
    "KSV": "Kosovo (World Bank code)",
}


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every accepted three-letter code: ISO 3166-1 alpha-3, historic ISO 3166-3 and :data:`EXTRA_CODES`."""
    codes = {c.alpha_3 for c in pycountry.countries}
    codes |= {c.alpha_3 for c in pycountry.historic_countries if hasattr(c, "alpha_3")}
    return frozenset(codes | set(EXTRA_CODES))


def country_name(code: str) -> str:
    """A readable name for an accepted code.

    >>> country_name("NLD")
    'Netherlands'
    """
    if code in EXTRA_CODES:
        return EXTRA_CODES[code].split(" (")[0]
    found = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    if found is None:
        raise KeyError(code)
    return str(getattr(found, "common_name", None) or found.name)
