from typing import Annotated

from fastapi import Path
from pydantic import Field

# Ids above int64 would overflow PostgreSQL's bigint (and SQLite's INTEGER) and surface as
# a 500; 0 and negatives are never ids. Every id a client sends uses one of these bounds.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="资源 id")]
