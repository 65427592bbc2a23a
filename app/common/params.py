"""The one bounded id type for every path, query, form and body parameter.

Ids are 1..2⁶³-1: a larger one would overflow PostgreSQL's bigint (and SQLite's integer)
and surface as a 500, and 0 or a negative id never exists. pydantic parses ASCII digits
only, so ``"²"`` or ``"١"`` is a 422 as well.
"""

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="资源 id")]
