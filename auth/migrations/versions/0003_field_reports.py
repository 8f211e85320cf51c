"""Field reports (rows of collaborative datasets) and their photos.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "field_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),  # idempotency: one record per form
        sa.Column("values", sa.Text, nullable=False),
        sa.Column("commune_code", sa.String(16), nullable=True),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(254), nullable=False),
        sa.Column("deleted_at", sa.DateTime, nullable=True),
        sa.Column("deleted_by", sa.String(254), nullable=True),
        sa.Column("revision", sa.Integer, nullable=False),  # +1 at each change: what the query cache keys on
    )
    for column in ("dataset", "author", "updated_at"):
        op.create_index(f"ix_field_reports_{column}", "field_reports", [column])
    op.create_table(
        "field_photos",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(254), nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_field_photos_dataset", "field_photos", ["dataset"])


def downgrade():
    op.drop_table("field_photos")
    op.drop_table("field_reports")
