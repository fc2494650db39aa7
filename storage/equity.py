"""The creators' equity programme: who qualifies, from the ledger, under rules passed in.

A creator qualifies after `min_years` as a creator on the platform with, over the last 365 days,
either earnings of at least `earnings_cents` grown by at least `growth_bps` on the 365 days
before, or earnings of at least `alt_earnings_cents`. Earnings are their share of sales net of
refunds. A qualifying creator is granted `grant_cents` of shares a year for `grant_years` years.
(The platform has no creator levels yet, so "at top level" is read as "a creator", and tenure
counts from account creation.)
"""

import dataclasses
import datetime


@dataclasses.dataclass(frozen=True)
class Rules:
    min_years: float = 1.0
    earnings_cents: int = 3_000_000
    growth_bps: int = 1_000
    alt_earnings_cents: int = 10_000_000
    grant_cents: int = 250_000
    grant_years: int = 4

    def describe(self) -> str:
        return (f"at least {self.min_years:g} year(s) as a creator, and over the last 365 days either "
                f"${self.earnings_cents / 100:,.0f} of earnings grown by at least "
                f"{self.growth_bps / 100:g} % on the year before, or ${self.alt_earnings_cents / 100:,.0f}; "
                f"grant: ${self.grant_cents / 100:,.0f} of shares a year for {self.grant_years} years")


def _earnings_between(db, creator_id: int, start: str, end: str) -> int:
    return -db.execute(
        "SELECT COALESCE(SUM(p.amount_cents), 0) FROM ledger_postings p JOIN ledger_entries e "
        "ON e.id = p.entry_id WHERE p.account_id = ? AND e.kind IN ('generation', 'refund') "
        "AND e.created_at >= ? AND e.created_at < ?", [f"earnings:{creator_id}", start, end]).fetchone()[0]


def assess(db, rules: Rules, today: datetime.date | None = None) -> list[dict]:
    """Every creator with tenure, earnings this year and last, growth, whether they qualify
    (and why not), and the grant schedule when they do."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    end = today + datetime.timedelta(days=1)
    year_ago, two_years_ago = end - datetime.timedelta(days=365), end - datetime.timedelta(days=730)
    out = []
    for creator in db.query("SELECT id, username, created_at FROM users WHERE role = 'seller' ORDER BY id"):
        joined = datetime.date.fromisoformat(creator["created_at"][:10])
        years = (today - joined).days / 365
        this_year = _earnings_between(db, creator["id"], year_ago.isoformat(), end.isoformat())
        last_year = _earnings_between(db, creator["id"], two_years_ago.isoformat(), year_ago.isoformat())
        growth_bps = (this_year - last_year) * 10_000 // last_year if last_year > 0 else None
        grown = (this_year >= rules.earnings_cents and growth_bps is not None
                 and growth_bps >= rules.growth_bps)
        big = this_year >= rules.alt_earnings_cents
        tenure = years >= rules.min_years
        qualifies = tenure and (grown or big)
        why = ("" if qualifies else "tenure under the minimum" if not tenure
               else "earnings below both thresholds or growth too low")
        out.append({"user_id": creator["id"], "username": creator["username"], "years": round(years, 2),
                    "earnings_cents": this_year, "previous_cents": last_year, "growth_bps": growth_bps,
                    "qualifies": qualifies, "why_not": why,
                    "grants": [{"year": today.year + i, "cents": rules.grant_cents}
                               for i in range(rules.grant_years)] if qualifies else []})
    return out
