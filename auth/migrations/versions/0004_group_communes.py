"""Groups limited to some communes: what their members may report on (empty: the whole territory).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("groups") as batch:  # batch: SQLite cannot alter a table in place
        batch.add_column(sa.Column("communes", sa.String(400), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("communes")
