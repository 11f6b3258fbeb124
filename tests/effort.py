"""How hard the slow tests try: quick by default, full in CI.

`make test` on a laptop runs every test, the property and fuzz tests with fewer
examples; CI (.ci/run) sets TEST_EFFORT=full and runs them at full effort. Run it
locally with `TEST_EFFORT=full make test`. A test's own variable (PROPERTY_EXAMPLES,
FUZZ_EXAMPLES, ...) still overrides both.

scripts/mutants.py sets TEST_SHRINK=0: a mutant is killed by the first failing
example, so hypothesis need not shrink it, and it keeps no example database there (a
mutant must be found afresh, not replayed from an earlier run).
"""

import os

from hypothesis import Phase

FULL = os.environ.get("TEST_EFFORT", "").strip().lower() == "full"


def examples(quick: int, full: int, variable: str | None = None) -> int:
    """How many hypothesis examples: `variable` from the environment if set, else
    `full` at full effort, else `quick`."""
    if variable and os.environ.get(variable, "").strip():
        return int(os.environ[variable])
    return full if FULL else quick


def hypothesis_extras() -> dict:
    """Settings every hypothesis test here shares: what a mutation run turns off."""
    if os.environ.get("TEST_SHRINK", "1") == "0":
        return {"phases": [Phase.explicit, Phase.generate], "database": None}
    return {}
