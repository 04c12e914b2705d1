"""host deploy: enrollment and install fields, reported capabilities, network attachments

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("resolved_addresses", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("enrolled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("activate_after_install", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("net_config_dirty", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "host_reports",
        sa.Column("host_id", sa.String(length=36), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("change_counter", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["hosts.id"], name=op.f("fk_host_reports_host_id_hosts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("host_id", name=op.f("pk_host_reports")),
    )
    op.create_table(
        "network_attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("host_id", sa.String(length=36), nullable=False),
        sa.Column("network_id", sa.String(length=36), nullable=False),
        sa.Column("nic_name", sa.String(length=64), nullable=False),
        sa.Column("ip_assignments", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["hosts.id"], name=op.f("fk_network_attachments_host_id_hosts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_attachments_network_id_networks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_attachments")),
        sa.UniqueConstraint("host_id", "network_id", name="uq_network_attachments_host_network"),
    )
    op.create_index(op.f("ix_network_attachments_host_id"), "network_attachments", ["host_id"])
    op.create_index(op.f("ix_network_attachments_network_id"), "network_attachments", ["network_id"])


def downgrade() -> None:
    op.drop_table("network_attachments")
    op.drop_table("host_reports")
    with op.batch_alter_table("hosts") as batch:
        for column in ("net_config_dirty", "activate_after_install", "enrolled", "resolved_addresses"):
            batch.drop_column(column)
