from typing import Annotated

from fastapi import Path
from pydantic import Field

# Id columns are INTEGER: PostgreSQL answers "integer out of range" (a 500) for a larger
# value even in a WHERE clause, and 0 and negatives are never ids. Every id a client sends,
# in a path, a query, a form or a body, is bounded by this.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="资源 id")]
