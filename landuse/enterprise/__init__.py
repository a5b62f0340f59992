"""Enterprises (企业): enterprise-year tables keyed by the unified social credit code.

The 亩均 / 亩产效益 evaluations the bureaus run take the enterprise (the legal person) as the
unit: one row per enterprise and year from the tax, statistics, power and environment bureaus,
keyed by the 18-character unified social credit code (统一社会信用代码, GB 32100-2015).

* :func:`read_enterprises` reads such a table from Excel, CSV or a DataFrame with the Chinese
  headers and bracketed units the bureaus use, and validates it.
* :func:`read_tenancies` reads the tenancy table (who rents floor space or land on which
  parcel, and when); :func:`enterprise_land` gives each enterprise its land, owned and rented,
  under the policy's rented-land rule, and its evaluation unit.
* :func:`evaluate_enterprises` grades them A/B/C/D (or 不定等级 with the reason) for one year:
  scope (规上, 规下 from a land threshold, exemptions, provisional), evaluation units, the
  profile's indicators and weights; :func:`enterprise_history` follows the grades year over
  year (change, consecutive years in D, the differentiated electricity surcharge);
  :func:`write_enterprises` writes one sheet per year and the history.
* :func:`validate_credit_code` normalises and checks credit codes (length, alphabet, the
  administrative division digits and the check character), for a whole column at once.

This file is the public face; the code check is in ``_credit``, the enterprise reader in
``_read``, the tenancy reader in ``_tenancy``, the land of each enterprise in ``_land`` and the
evaluation in ``_evaluate``.

Use :func:`landuse.efficiency.grade_enterprises` when your figures already sit on the parcels (one
grade per parcel row); use :func:`evaluate_enterprises` with enterprise tables keyed by credit
code (one grade per enterprise, its land gathered from the parcels it holds and rents).
"""

from __future__ import annotations

from landuse.enterprise._credit import validate_credit_code
from landuse.enterprise._evaluate import enterprise_history, evaluate_enterprises, write_enterprises
from landuse.enterprise._land import enterprise_land
from landuse.enterprise._read import read_enterprises
from landuse.enterprise._tenancy import read_tenancies

__all__ = [
    "enterprise_history",
    "enterprise_land",
    "evaluate_enterprises",
    "read_enterprises",
    "read_tenancies",
    "validate_credit_code",
    "write_enterprises",
]
