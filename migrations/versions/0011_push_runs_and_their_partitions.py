"""push runs and their partitions

A push run (精准推送) is split into partitions of enterprise ids that workers on any host
claim, heartbeat and resume (see app.pushes). Feed items of reason "profile" need no
schema change: the reason column is a plain string.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 15:49:32.017087
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                name="pushstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("patents", sa.JSON(), nullable=False),
        sa.Column("enterprises", sa.JSON(), nullable=False),
        sa.Column("province_prefix", sa.String(length=6), nullable=False),
        sa.Column("per_enterprise", sa.SmallInteger(), nullable=False),
        sa.Column("min_score", sa.Float(), nullable=False),
        sa.Column("total_enterprises", sa.Integer(), nullable=False),
        sa.Column("total_partitions", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_key", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_runs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("push_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_runs_state"), ["state"], unique=False)

    op.create_table(
        "push_partitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("lo_id", sa.Integer(), nullable=False),
        sa.Column("hi_id", sa.Integer(), nullable=False),
        sa.Column("enterprises", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "running",
                "done",
                "failed",
                name="partitionstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_through", sa.Integer(), nullable=False),
        sa.Column("done_enterprises", sa.Integer(), nullable=False),
        sa.Column("pushed_enterprises", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["push_runs.id"],
            name=op.f("fk_push_partitions_run_id_push_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_partitions")),
        sa.UniqueConstraint("run_id", "lo_id", name=op.f("uq_push_partitions_run_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("push_partitions", schema=None) as batch_op:
        batch_op.create_index("ix_push_partitions_state_run_id", ["state", "run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("push_partitions", schema=None) as batch_op:
        batch_op.drop_index("ix_push_partitions_state_run_id")

    op.drop_table("push_partitions")
    with op.batch_alter_table("push_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_runs_state"))

    op.drop_table("push_runs")
