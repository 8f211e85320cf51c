"""Budget climat of Issy-les-Moulineaux: demonstration data anchored on the published figures.

Published (see data/NOTICE.md): adopted 4 February 2021; territorial emissions 130,100 tCO2e in 2020; yearly
reduction targets −3.5 % for 2021 and −3.2 % for 2022; 104,987 tCO2e in 2024, −1.7 % on 2023 and −15.7 % since
adoption; by actor, households 48 % and businesses 43 %. Everything else here is generated, deterministically,
and every row says so (``demo``).

Readings of the published facts: ceilings go on at −3.2 % a year after 2022; "−15.7 % since adoption" is
measured against the result of 2021, the first year under the budget (104,987 / 0.843 ≈ 124,540 tCO2e).
"""

from __future__ import annotations

from datetime import date

import polars as pl

COMMUNE = "92040"
REFERENCE_YEAR, REFERENCE = 2020, 130_100.0
RESULT_2024 = 104_987.0
RESULT_2023 = RESULT_2024 / (1 - 0.017)
RESULT_2021 = RESULT_2024 / (1 - 0.157)
YEARLY_TARGETS = {2021: -0.035, 2022: -0.032}  # then −3.2 % a year
LAST_YEAR = 2026  # the current budget year: its ceiling is voted, its result is not known yet

# Realised emissions without a published figure: generated between the published ones.
RESULTS = {2020: REFERENCE, 2021: RESULT_2021, 2022: 114_870.0, 2023: RESULT_2023, 2024: RESULT_2024,
           2025: 102_650.0}

# Sector shares of the total, 2020 then 2025 (interpolated in between): transport falls fastest.
SECTORS = {"Transports": (0.34, 0.31), "Résidentiel": (0.30, 0.30), "Tertiaire": (0.26, 0.28),
           "Déchets": (0.10, 0.11)}
ACTORS = {"Ménages": 0.48, "Entreprises": 0.43, "Collectivité": 0.09}  # ménages, entreprises published

COLUMNS = ["annee", "categorie", "libelle", "plafond_tco2e", "realise_tco2e", "date_vote", "date_resultat",
           "commune_code"]


def ceilings() -> dict[int, float]:
    """The ceiling voted for each year, from the 2020 reference and the yearly targets."""
    values, level = {}, REFERENCE
    for year in range(REFERENCE_YEAR + 1, LAST_YEAR + 1):
        level *= 1 + YEARLY_TARGETS.get(year, -0.032)
        values[year] = round(level, 1)
    return values


def _share(shares: tuple[float, float], year: int) -> float:
    start, end = shares
    t = min(max((year - REFERENCE_YEAR) / 5, 0.0), 1.0)
    return start + (end - start) * t


def generate() -> pl.DataFrame:
    rows = []
    caps = ceilings()
    for year in range(REFERENCE_YEAR, LAST_YEAR + 1):
        cap = caps.get(year)
        result = RESULTS.get(year)
        voted = date(year, 2, 4) if year > REFERENCE_YEAR else None  # the council votes in February
        known = date(year + 1, 2, 4) if result is not None else None  # the result of n comes in n+1
        rows.append((year, "total", "Territoire", cap, None if result is None else round(result, 1), voted, known))
        sector_shares = {name: _share(s, year) for name, s in SECTORS.items()}
        norm = sum(sector_shares.values())
        for name, share in sector_shares.items():
            share /= norm
            rows.append((year, "secteur", name, None if cap is None else round(cap * _share(SECTORS[name], REFERENCE_YEAR), 1),
                         None if result is None else round(result * share, 1), voted, known))
        for name, share in ACTORS.items():
            rows.append((year, "acteur", name, None if cap is None else round(cap * share, 1),
                         None if result is None else round(result * share, 1), voted, known))
    frame = pl.DataFrame(rows, schema={"annee": pl.Int64, "categorie": pl.String, "libelle": pl.String,
                                       "plafond_tco2e": pl.Float64, "realise_tco2e": pl.Float64,
                                       "date_vote": pl.Date, "date_resultat": pl.Date}, orient="row")
    return frame.with_columns(pl.lit(COMMUNE).alias("commune_code")).select(COLUMNS)
