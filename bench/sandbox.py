"""Cost of the script sandbox: µs per condition evaluation and per small script.

Measures the environment every diagram expression runs in (``RestrictedEnvironment``), as
it is in the work tree and, with ``--baseline REF`` (default: the first commit of this
branch's parent, ``main``), as engine/scripting.py was at that git revision, so the figures
before and after a change to the sandbox come from one run on one machine.

    python bench/sandbox.py [--rounds 20000] [--baseline main]
"""

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "service"))

CONDITION = 'approved and total_investment >= 100 and review_mode == "onsite"'
SCRIPT = ("initial_review_approved = approved\n"
          "initial_review_opinion = opinion\n"
          "previous_changes = previous_changes + 1\n"
          "share = round(total_investment * 0.1, 2)\n"
          "names = [d['name'] for d in departments if d['ok']]\n")
DATA = {"approved": True, "total_investment": 1200, "review_mode": "onsite", "opinion": "同意",
        "previous_changes": 0,
        "departments": [{"name": "发改", "ok": True}, {"name": "财政", "ok": False}]}


def _load_baseline(ref: str):
    source = subprocess.run(["git", "-C", str(ROOT), "show",
                             f"{ref}:service/govflow/engine/scripting.py"],
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_scripting.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("govflow.engine._baseline_scripting", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _us_per_call(call, rounds: int) -> float:
    call()  # compile once, as the cache does for every later call
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(rounds):
            call()
        best = min(best, (time.perf_counter() - started) * 1e6 / rounds)
    return best


def measure(module, rounds: int) -> tuple[float, float]:
    env = module.RestrictedEnvironment()
    condition = _us_per_call(lambda: env.evaluate(CONDITION, dict(DATA)), rounds)
    script = _us_per_call(lambda: env.execute(SCRIPT, dict(DATA)), rounds)
    return condition, script


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20000)
    parser.add_argument("--baseline", default="main",
                        help="git revision whose engine/scripting.py to compare with ('' to skip)")
    args = parser.parse_args()
    rows = []
    if args.baseline:
        rows.append((f"before ({args.baseline})", *measure(_load_baseline(args.baseline),
                                                           args.rounds)))
    from govflow.engine import scripting
    rows.append(("now (work tree)", *measure(scripting, args.rounds)))
    print(f"{'sandbox':<24}{'condition µs':>14}{'script µs':>12}")
    for name, condition, script in rows:
        print(f"{name:<24}{condition:>14.1f}{script:>12.1f}")
    print(f"engine step offload (asyncio.to_thread round trip): {_offload_us(2000):.1f} µs")
    print(f"stored-data check of the sample task data: {_datasafe_us(args.rounds):.1f} µs")


def _offload_us(rounds: int) -> float:
    import asyncio

    async def run() -> float:
        await asyncio.to_thread(int)
        started = time.perf_counter()
        for _ in range(rounds):
            await asyncio.to_thread(int)
        return (time.perf_counter() - started) * 1e6 / rounds
    return asyncio.run(run())


def _datasafe_us(rounds: int) -> float:
    from govflow.engine import datasafe
    return _us_per_call(lambda: datasafe.check(dict(DATA)), rounds)


if __name__ == "__main__":
    main()
