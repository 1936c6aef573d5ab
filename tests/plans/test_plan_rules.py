"""The plan's check as a pure rule (plans/rules.py): what each listed key is refused for, and
totals added as decimals, so a typed total that is right to the fen is never refused."""

from govflow.plans.rules import Candidate, Elsewhere, problems, total

YEAR = 2030
CANDIDATES = {k: Candidate(k, f"id-{k}", None, a) for k, a in (("A", 0.1), ("B", 0.2))}


def codes(listed, elsewhere=None, amounts=None, typed_total=None):
    return [(e.code, e.loc) for e in problems(YEAR, listed, CANDIDATES, elsewhere or {},
                                              amounts or {}, typed_total)]


def test_totals_are_decimal_sums():
    assert total([0.1, 0.2]) == 0.3
    assert codes(["A", "B"], typed_total=0.3) == []
    assert codes(["A", "B"], typed_total=0.30000000000000004) == [
        ("plan.total_mismatch", "variables.plan_total")]


def test_each_key_is_refused_for_what_it_is():
    elsewhere = {"OLD": Elsewhere("completed", YEAR, False),
                 "NEXT": Elsewhere("running", YEAR + 1, True),
                 "REVIEW": Elsewhere("running", YEAR, False),
                 "GONE": None}
    assert codes(["A", "OLD", "NEXT", "REVIEW", "GONE", "A"], elsewhere) == [
        ("plan.not_reviewed", "variables.projects.1"),
        ("plan.wrong_year", "variables.projects.2"),
        ("plan.not_reviewed", "variables.projects.3"),
        ("plan.unknown_project", "variables.projects.4"),
        ("plan.duplicate_project", "variables.projects.5")]


def test_amounts_must_be_the_reviewed_ones_and_numbers():
    assert codes(["A"], amounts={"A": 0.1}) == []
    assert codes(["A"], amounts={"A": "0.1"}) == [("plan.amount_mismatch", "variables.amounts.A")]
    assert codes(["A"], amounts={"A": True}) == [("plan.amount_mismatch", "variables.amounts.A")]
    assert codes(["A"], amounts={"B": 0.2}) == [("plan.amount_unlisted", "variables.amounts.B")]
