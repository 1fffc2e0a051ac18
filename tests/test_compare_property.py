"""Property: compare's per-member rows equal analyse's on the same files; the network's total
equals the sum of the members' reconciled totals, to the penny."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anchorspend.compare import CompareConfig, compare
from anchorspend.config import Config, Member
from anchorspend.gather.options import RunConfig
from anchorspend.pipeline import run

SUPPLIERS = [
    "Shared Co Ltd",
    "SHARED CO LIMITED",
    "Local Bakers",
    "Big Corp",
    "Care Charity",
    "Redacted",
    "Police Kit Ltd",
    "Nobody Knows Ltd",
]
LOOKUP = (
    "supplier_name,is_sme,is_vcse,local_authority_code\nShared Co Ltd,Yes,No,E1\n"
    "Local Bakers,Yes,No,E1\nBig Corp,No,No,E9\nCare Charity,Yes,Yes,E1\n"
    "Police Kit Ltd,No,,E9\n"
)

row = st.tuples(
    st.sampled_from(SUPPLIERS),
    st.integers(min_value=0, max_value=181),  # days after 1 April 2026: two quarters
    st.integers(min_value=-50_000, max_value=500_000),  # pence, credit notes included
)
member_files = st.lists(st.lists(row, min_size=1, max_size=6), min_size=1, max_size=2)
network = st.lists(member_files, min_size=1, max_size=3)


def _write(folder: Path, rows: list[tuple[str, int, int]], start: int) -> None:
    import datetime as dt

    lines = ["Supplier Name,Payment Date,Net Amount,Transaction Number"]
    for i, (name, day, pence) in enumerate(rows):
        d = dt.date(2026, 4, 1) + dt.timedelta(days=day)
        amount = f"{abs(pence) // 100}.{abs(pence) % 100:02d}"
        lines.append(f"{name},{d:%d/%m/%Y},{'-' if pence < 0 else ''}{amount},T{start + i}")
    (folder / f"f{start}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=network, with_lookup=st.booleans())
def test_members_in_compare_equal_analyse_alone(
    net: list[list[list[tuple[str, int, int]]]], with_lookup: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lookups: tuple[Path, ...] = ()
        if with_lookup:
            (root / "lookup.csv").write_text(LOOKUP, encoding="utf-8")
            lookups = (root / "lookup.csv",)
        members = []
        for m, files in enumerate(net):
            folder = root / f"m{m}"
            folder.mkdir()
            for f, rows in enumerate(files):
                _write(folder, rows, start=100 * f)
            members.append(Member(f"m{m}", f"Member {m}", (f"m{m}/",)))
        cfg = Config(
            path=root / "anchorspend.toml",
            members=tuple(members),
            local_tiers={"Home": ("E1",)},
            targets={"sme": 0.3},
        )
        doc = compare(CompareConfig(run=RunConfig(inputs=(), lookups=lookups, config=cfg))).document
        member_totals = Decimal(0)
        for m in members:
            alone = run(
                RunConfig(
                    inputs=(root / m.files[0],), organisation=m.name, lookups=lookups, config=cfg
                )
            ).document
            assert [x for x in doc["metrics"] if x["organisation"] == m.name] == alone["metrics"]
            member_totals += Decimal(alone["reconciliation"]["amount_analysed"])
        assert Decimal(doc["reconciliation"]["amount_analysed"]) == member_totals
        pooled = [
            x
            for x in doc["metrics"]
            if x["organisation"] == "(all)"
            and x["period"] == "all"
            and x["measure"] == "total_spend"
        ]
        if len(members) > 1:
            assert Decimal(pooled[0]["total_spend"]) == member_totals
        for x in doc["metrics"]:
            for share in ("share_of_total", "share_of_known", "coverage"):
                assert x[share] is None or 0.0 <= x[share] <= 1.0
