"""The check a compiled plan must pass (plan_compilation's completion): every listed project
exists, is listed once, passed review for the plan's year and enters with its reviewed
amount; the totals are the server's, never typed."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import FieldError, Invalid


@dataclass(frozen=True)
class Candidate:
    """A project that passed review and waits for the plan of its year."""

    business_key: str
    instance_id: str
    project_name: str | None
    amount: float | None  # 万元: the reviewed budget, else the declared investment

    def as_item(self) -> dict[str, Any]:
        return {"business_key": self.business_key, "instance_id": self.instance_id,
                "project_name": self.project_name, "amount": self.amount}


@dataclass(frozen=True)
class Elsewhere:
    """A listed key that is not a candidate: where its project is instead."""

    state: str            # running, completed, terminated, error, suspended
    plan_year: Any        # its plan year, if it has one
    waiting: bool         # it waits for a plan (of another year)


def total(amounts: list[float | None]) -> float:
    """The sum in 万元, added as decimals (0.1 + 0.2 is 0.3 here)."""
    return float(sum((Decimal(str(a)) for a in amounts if a is not None), Decimal(0)))


def problems(year: int, listed: list[Any], candidates: dict[str, Candidate],
             elsewhere: dict[str, Elsewhere | None], amounts: dict[str, Any],
             typed_total: Any) -> list[FieldError]:
    """Every problem with a submitted plan, each naming its item (empty: the plan holds)."""
    found: list[FieldError] = []
    seen: set[str] = set()
    for i, key in enumerate(listed):
        loc = f"variables.projects.{i}"
        if key in seen:
            found.append(_error(loc, "plan.duplicate_project", key,
                                f"'{key}' is listed more than once"))
            continue
        seen.add(key)
        if key in candidates:
            continue
        where = elsewhere.get(key)
        if where is None:
            found.append(_error(loc, "plan.unknown_project", key,
                                f"no project of this tenant has business key '{key}'"))
        elif where.waiting or (where.plan_year is not None and where.plan_year != year):
            found.append(_error(loc, "plan.wrong_year", key,
                                f"'{key}' is a project for {where.plan_year}, not {year}",
                                plan_year=where.plan_year, year=year))
        else:
            found.append(_error(loc, "plan.not_reviewed", key,
                                f"'{key}' has not passed review for {year} "
                                f"(it is {where.state} and not waiting for the plan)",
                                state=where.state))
    for key, amount in amounts.items():
        loc = f"variables.amounts.{key}"
        if key not in seen:
            found.append(_error(loc, "plan.amount_unlisted", key,
                                f"an amount is given for '{key}', which the plan does not list"))
        elif key in candidates and not _same(amount, candidates[key].amount):
            found.append(_error(loc, "plan.amount_mismatch", key,
                                f"'{key}' passed review with {candidates[key].amount}万, "
                                f"not {amount}万", amount=amount,
                                reviewed=candidates[key].amount))
    if not found and typed_total is not None:
        computed = total([candidates[k].amount for k in seen])
        if not _same(typed_total, computed):
            found.append(FieldError("variables.plan_total",
                                    f"the listed projects add up to {computed}万, "
                                    f"not {typed_total}万",
                                    {"code": "plan.total_mismatch", "computed": computed},
                                    code="plan.total_mismatch"))
    return found


def refuse(found: list[FieldError]) -> Invalid:
    """The 422 for a plan that does not hold: the first problem's code, every problem in
    ``errors``. (Each code is named where it is raised: tests/test_problem_codes.py.)"""
    first = found[0]
    detail = "the annual plan does not hold: " + "; ".join(e.msg for e in found)
    params = {k: v for k, v in first.extra.items() if k != "code"}
    if first.code == "plan.duplicate_project":
        return Invalid(detail, found, code="plan.duplicate_project", params=params)
    if first.code == "plan.unknown_project":
        return Invalid(detail, found, code="plan.unknown_project", params=params)
    if first.code == "plan.wrong_year":
        return Invalid(detail, found, code="plan.wrong_year", params=params)
    if first.code == "plan.not_reviewed":
        return Invalid(detail, found, code="plan.not_reviewed", params=params)
    if first.code == "plan.amount_unlisted":
        return Invalid(detail, found, code="plan.amount_unlisted", params=params)
    if first.code == "plan.amount_mismatch":
        return Invalid(detail, found, code="plan.amount_mismatch", params=params)
    return Invalid(detail, found, code="plan.total_mismatch", params=params)


def _error(loc: str, code: str, key: str, msg: str, **extra: Any) -> FieldError:
    return FieldError(loc, msg, {"code": code, "business_key": key, **extra}, code=code)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or not isinstance(a, int | float) or b is None:
        return False
    return Decimal(str(a)) == Decimal(str(b))
