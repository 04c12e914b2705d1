"""setup networks: attachment DNS and QoS override, host nic labels, host network QoS

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qos",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("data_center_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("outbound_average_linkshare", sa.Integer(), nullable=True),
        sa.Column("outbound_average_upperlimit", sa.Integer(), nullable=True),
        sa.Column("outbound_average_realtime", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_center_id"], ["data_centers.id"], name=op.f("fk_qos_data_center_id_data_centers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qos")),
        sa.UniqueConstraint("data_center_id", "name", name="uq_qos_data_center_id_name"),
    )
    op.create_index(op.f("ix_qos_data_center_id"), "qos", ["data_center_id"])
    with op.batch_alter_table("networks") as batch:
        batch.add_column(sa.Column("qos_id", sa.String(length=36), nullable=True))
        batch.create_foreign_key(op.f("fk_networks_qos_id_qos"), "qos", ["qos_id"], ["id"])
    with op.batch_alter_table("network_attachments") as batch:
        batch.add_column(sa.Column("dns_servers", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("qos", sa.JSON(), nullable=True))
    op.create_table(
        "host_nic_labels",
        sa.Column("host_id", sa.String(length=36), nullable=False),
        sa.Column("nic_name", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["hosts.id"], name=op.f("fk_host_nic_labels_host_id_hosts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("host_id", "nic_name", "label", name=op.f("pk_host_nic_labels")),
    )


def downgrade() -> None:
    op.drop_table("host_nic_labels")
    with op.batch_alter_table("network_attachments") as batch:
        batch.drop_column("qos")
        batch.drop_column("dns_servers")
    with op.batch_alter_table("networks") as batch:
        batch.drop_constraint(op.f("fk_networks_qos_id_qos"), type_="foreignkey")
        batch.drop_column("qos_id")
    op.drop_index(op.f("ix_qos_data_center_id"), table_name="qos")
    op.drop_table("qos")
