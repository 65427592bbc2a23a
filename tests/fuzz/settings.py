"""How much the fuzz tests generate, and which checks they apply.

The defaults keep both backends to a few minutes on two cores. ``PANHUO_FUZZ_EXAMPLES``
raises the generated examples per operation for an exploratory run (docs/benchmarks.md,
"Fuzzing"). The seed is fixed so CI replays the same cases, and Hypothesis's example
database is off so a run does not depend on what an earlier run left in ``.hypothesis/``.
"""

import os

from schemathesis import Config

EXAMPLES = int(os.environ.get("PANHUO_FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("PANHUO_FUZZ_SEED", "15"))

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def config(*, coverage: bool) -> Config:
    """``coverage``: also send schemathesis's boundary values (0, -1, 2⁶³, "", ...) for each
    parameter; thorough, and most of the run's requests."""
    return Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES, "database": "none", "deterministic": True},
            # Unknown methods get 405 from the router before any of our code runs.
            "phases": {"coverage": {"enabled": coverage, "unexpected-methods": []}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
