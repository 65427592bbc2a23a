"""enterprise imports (企业名录) and their row errors

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("queued", "running", "succeeded", "failed")


def upgrade() -> None:
    op.create_table(
        "enterprise_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*STATES, name="jobstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("created_by_key", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=True),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("unknown_columns", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_imports")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("enterprise_imports") as batch:
        batch.create_index(batch.f("ix_enterprise_imports_state"), ["state"], unique=False)
        batch.create_index(
            batch.f("ix_enterprise_imports_province_code"), ["province_code"], unique=False
        )
    op.create_table(
        "enterprise_import_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=100), nullable=True),
        sa.Column("raw_value", sa.String(length=500), nullable=True),
        sa.Column("reason_zh", sa.String(length=300), nullable=False),
        sa.Column("reason_en", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["enterprise_imports.id"],
            name=op.f("fk_enterprise_import_errors_job_id_enterprise_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_import_errors")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("enterprise_import_errors") as batch:
        batch.create_index(
            "ix_enterprise_import_errors_job_row", ["job_id", "row_number"], unique=False
        )


def downgrade() -> None:
    op.drop_table("enterprise_import_errors")
    op.drop_table("enterprise_imports")
