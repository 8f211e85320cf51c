"""A group's home page: where its members land after signing in (an élu on the climate summary).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("groups") as batch:  # batch: SQLite cannot alter a table in place
        batch.add_column(sa.Column("home", sa.String(200), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("home")
