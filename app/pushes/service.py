"""Push runs: created by a request, worked by the workers (``runner``), read with progress.

Who may push: admins and the portal to any enterprise, a province principal to the
enterprises of its province only (the same principals that start match runs, plus
provinces for their own directory). Never commits.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.auth.principal import Principal
from app.common.messages import Msg
from app.common.paging import Page, PageParams, paginate
from app.db import utcnow
from app.errors import NotFound
from app.pushes import selection
from app.pushes.models import PartitionState, PushPartition, PushRun, PushState
from app.pushes.schemas import PartitionRead, PushProgress, PushRunCreate, PushRunRead

PARTITION_SIZE = 1000  # enterprises per partition: the unit workers claim and resume


def create(session: Session, actor: Principal, data: PushRunCreate) -> PushRunRead:
    run = PushRun(
        state=PushState.queued,
        patents=data.patents.model_dump(mode="json", exclude_none=True),
        enterprises=data.enterprises.model_dump(mode="json", exclude_defaults=True),
        province_prefix=actor.province_prefix if actor.role is Role.province else "",
        per_enterprise=data.per_enterprise,
        min_score=data.min_score,
        created_by_key=actor.key_id,
    )
    session.add(run)
    session.flush()
    ids = selection.enterprise_ids(session, run)
    spans = [ids[i : i + PARTITION_SIZE] for i in range(0, len(ids), PARTITION_SIZE)]
    session.add_all(
        PushPartition(
            run_id=run.id,
            lo_id=span[0],
            hi_id=span[-1],
            enterprises=len(span),
            state=PartitionState.pending,
        )
        for span in spans
    )
    run.total_enterprises, run.total_partitions = len(ids), len(spans)
    if not spans:  # nothing to push to: done at once
        run.state, run.started_at = PushState.succeeded, utcnow()
        run.finished_at = run.started_at
    session.flush()
    return present(session, run)


def _visible(actor: Principal) -> Any:
    if actor.role is Role.province:
        return PushRun.province_prefix == actor.province_prefix
    return PushRun.id.is_not(None)


def get(session: Session, actor: Principal, run_id: int) -> PushRunRead:
    run = session.scalar(select(PushRun).where(PushRun.id == run_id, _visible(actor)))
    if run is None:
        raise NotFound(Msg(f"推送任务不存在：{run_id}", f"push run {run_id} not found"))
    return present(session, run)


def list_page(session: Session, actor: Principal, paging: PageParams) -> Page[PushRunRead]:
    stmt = select(PushRun).where(_visible(actor)).order_by(PushRun.id.desc())
    return paginate(session, stmt, paging, lambda run: present(session, run))


def partitions_of(session: Session, actor: Principal, run_id: int) -> list[PartitionRead]:
    get(session, actor, run_id)
    stmt = select(PushPartition).where(PushPartition.run_id == run_id)
    rows = session.scalars(stmt.order_by(PushPartition.lo_id))
    return [PartitionRead.model_validate(row) for row in rows]


def present(session: Session, run: PushRun) -> PushRunRead:
    by_state = {
        state: (int(n), int(done or 0), int(pushed or 0), int(items or 0))
        for state, n, done, pushed, items in session.execute(
            select(
                PushPartition.state,
                func.count(),
                func.sum(PushPartition.done_enterprises),
                func.sum(PushPartition.pushed_enterprises),
                func.sum(PushPartition.items),
            )
            .where(PushPartition.run_id == run.id)
            .group_by(PushPartition.state)
        )
    }
    count = {s: v[0] for s, v in by_state.items()}
    progress = PushProgress(
        partitions_done=count.get(PartitionState.done, 0),
        partitions_running=count.get(PartitionState.running, 0),
        partitions_failed=count.get(PartitionState.failed, 0),
        enterprises_done=sum(v[1] for v in by_state.values()),
        enterprises_pushed=sum(v[2] for v in by_state.values()),
        items=sum(v[3] for v in by_state.values()),
    )
    fields = {c: getattr(run, c) for c in _FIELDS}
    return PushRunRead.model_validate({**fields, "progress": progress})


_FIELDS = (
    "id",
    "state",
    "patents",
    "enterprises",
    "per_enterprise",
    "min_score",
    "total_enterprises",
    "total_partitions",
    "errors",
    "started_at",
    "finished_at",
    "created_at",
)
