"""The one bounded id type for every path, query, form and body parameter.

Ids are 1..2³¹-1: id columns are INTEGER, and PostgreSQL answers "integer out of range"
(a 500) for a larger value even in a WHERE clause; 0 or a negative id never exists.
pydantic parses ASCII digits only, so ``"²"`` or ``"١"`` is a 422 as well.
"""

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="资源 id")]
