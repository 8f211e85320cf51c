"""A revision counter of the accounts (users, groups, memberships, grants, audit log), raised by every write
to them: the /admin page is kept under it by the render cache.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table("revisions", sa.Column("name", sa.String(40), primary_key=True),
                            sa.Column("n", sa.Integer, nullable=False, server_default="0"))
    op.bulk_insert(table, [{"name": "accounts", "n": 0}])


def downgrade():
    op.drop_table("revisions")
