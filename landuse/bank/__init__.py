"""The redevelopment project bank (低效产业用地再开发项目库): ranked candidates.

:func:`build_project_bank` turns parcels into defensible candidates: idle land, inefficient
land, firms graded D and firms graded C with a low FAR, each with its reasons (codes and
sentences with the numbers, see :mod:`landuse.efficiency`), the potential gains if brought up
to the zone's target, a suggested route and a priority. :func:`write_bank_excel` exports the
table with Chinese headers.

Routes (first rule that applies)
--------------------------------
=================  ==========  ==================================================================
route              label       rule
=================  ==========  ==================================================================
``acquisition``    收购储备    idle land (``idle_*``), or production fully stopped ≥ 1 year: the
                               land is out of use; stage-2 idle land may be reclaimed without
                               compensation, other land is bought into the land reserve
``relocation``     腾退        industry on the eliminated list, or not one of the zone's
                               leading industries: the firm moves out and the land is re-let to
                               the leading industry
``multistorey``    工业上楼    FAR below the minimum or below the zone target (C grade), and the
                               industry suits multi-storey factories
                               (``multistorey.suitable_industries_2017``) on a site of at least
                               ``multistorey.high_rise_site_ha_min`` (where set)
``self_upgrade``   自主提升    every other candidate: the firm stays and raises its investment,
                               output, tax or FAR on its own land
=================  ==========  ==================================================================

Gains and priority
------------------
- Target FAR: the zone's ``target_far`` (a column of ``zones``) where given, else the zone's
  FAR (Σ floor area ÷ Σ land of its producing parcels in scope), and never below the parcel's
  control minimum; for ``multistorey`` at least ``multistorey.far_min`` (2.0). Parcels outside
  every zone use the figures of all parcels.
- ``potential_extra_floor_area_m2`` = max(target FAR − FAR, 0) × land area.
- ``land_freed_mu``: for ``acquisition`` and ``relocation`` the whole parcel; otherwise the land
  its present floor area would not need at the target FAR, (land − floor area ÷ target FAR).
- ``potential_tax_wan`` = land in 亩 × the zone's benchmark tax per 亩 (the zone column
  ``benchmark_tax_wan_per_mu`` where given, else Σ tax ÷ Σ 亩 of its producing parcels);
  ``tax_gain_wan`` = what that adds to the present tax.
- ``priority`` (0–100) = 100 × Σ wₖ·pₖ / Σ wₖ, where pₖ is the candidate's percentile rank
  among all candidates by tax gain, land freed, extra floor area and number of reasons. The
  weights wₖ come from the policy profile, ``bank.priority_weights`` (0.4, 0.3, 0.2, 0.1 in
  ``national-2008`` and the profiles extending it: a method choice of landuse, confidence I, as
  no source orders redevelopment candidates); the ``priority_weights=`` argument overrides them.
  :data:`DEFAULT_PRIORITY_WEIGHTS` holds the ``national-2008`` weights for reference. Candidates
  are sorted by priority, then by ``candidate_id``.
- ``candidate_id`` = ``"C-" + parcel_id``, so a re-run gives the same ids.
"""

from __future__ import annotations

from landuse.bank._candidates import DEFAULT_PRIORITY_WEIGHTS, ROUTES, build_project_bank
from landuse.bank._excel import write_bank, write_bank_excel
from landuse.bank.store import ProjectBank
from landuse.errors import BankError, StoreBusyError

__all__ = [
    "DEFAULT_PRIORITY_WEIGHTS",
    "ROUTES",
    "BankError",
    "ProjectBank",
    "StoreBusyError",
    "build_project_bank",
    "write_bank",
    "write_bank_excel",
]
