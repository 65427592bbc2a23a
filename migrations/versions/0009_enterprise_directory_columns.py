"""enterprise directory columns: address, business scope, main products, two more flags

Provincial enterprise lists (企业名录) carry these; existing rows get false for the flags.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = ("is_little_giant", "is_tech_sme")
# Batch mode may copy the table on SQLite: keep its ids never reused (see 0007).
AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("enterprises", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("business_scope", sa.Text(), nullable=True))
        batch.add_column(sa.Column("main_products", sa.Text(), nullable=True))
        for flag in FLAGS:
            batch.add_column(
                sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    # The model sets the default in Python, as for the other flags.
    with op.batch_alter_table("enterprises", table_kwargs=AUTOINCREMENT) as batch:
        for flag in FLAGS:
            batch.alter_column(flag, server_default=None)
            batch.create_index(batch.f(f"ix_enterprises_{flag}"), [flag], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enterprises", table_kwargs=AUTOINCREMENT) as batch:
        for flag in FLAGS:
            batch.drop_index(batch.f(f"ix_enterprises_{flag}"))
        for column in ("address", "business_scope", "main_products", *FLAGS):
            batch.drop_column(column)
