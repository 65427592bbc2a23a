from typing import Annotated

from fastapi import Path

# Ids above int64 would overflow PostgreSQL's bigint and surface as a 500.
ResourceId = Annotated[int, Path(ge=1, le=2**63 - 1, description="资源 id")]
