"""The database schema (SQLAlchemy Core). Migrations in `migrations/` must match it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(36)

data_centers = Table(
    "data_centers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("comment", Text, nullable=False, default=""),
    Column("local", Boolean, nullable=False, default=False),
    Column("version", String(16), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
)

clusters = Table(
    "clusters",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("data_center_id", ID, ForeignKey("data_centers.id"), nullable=False, index=True),
    Column("version", String(16), nullable=False),
    Column("switch_type", String(16), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("comment", Text, nullable=False, default=""),
    Column("revision", Integer, nullable=False, default=1),
)

qos = Table(
    "qos",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False),
    Column("data_center_id", ID, ForeignKey("data_centers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("type", String(32), nullable=False),  # hostnetwork (the only type dcnet keeps)
    Column("description", Text, nullable=False, default=""),
    Column("outbound_average_linkshare", Integer, nullable=True),
    Column("outbound_average_upperlimit", Integer, nullable=True),
    Column("outbound_average_realtime", Integer, nullable=True),
    Column("revision", Integer, nullable=False, default=1),
    UniqueConstraint("data_center_id", "name", name="uq_qos_data_center_id_name"),
)

networks = Table(
    "networks",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False),
    Column("data_center_id", ID, ForeignKey("data_centers.id"), nullable=False, index=True),
    Column("description", Text, nullable=False, default=""),
    Column("comment", Text, nullable=False, default=""),
    Column("vlan_id", Integer, nullable=True),
    Column("mtu", Integer, nullable=False, default=0),
    Column("vm", Boolean, nullable=False, default=True),
    Column("stp", Boolean, nullable=False, default=False),
    Column("port_isolation", Boolean, nullable=False, default=False),
    Column("dns_name_servers", JSON, nullable=False, default=list),
    Column("label", String(256), nullable=True),
    Column("qos_id", ID, ForeignKey("qos.id"), nullable=True),
    Column("external_provider_id", ID, nullable=True),
    Column("external_provider_network_id", String(256), nullable=True),
    Column("external_physical_network_id", ID, nullable=True),
    Column("revision", Integer, nullable=False, default=1),
    UniqueConstraint("data_center_id", "name", name="uq_networks_data_center_id_name"),
)

cluster_networks = Table(
    "cluster_networks",
    metadata,
    Column("cluster_id", ID, ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ID, ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("required", Boolean, nullable=False, default=True),
    Column("management", Boolean, nullable=False, default=False),
    Column("display", Boolean, nullable=False, default=False),
    Column("migration", Boolean, nullable=False, default=False),
    Column("default_route", Boolean, nullable=False, default=False),
    Column("gluster", Boolean, nullable=False, default=False),
    Column("revision", Integer, nullable=False, default=1),
)

vnic_profiles = Table(
    "vnic_profiles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False),
    Column("network_id", ID, ForeignKey("networks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("description", Text, nullable=False, default=""),
    Column("comment", Text, nullable=False, default=""),
    Column("port_mirroring", Boolean, nullable=False, default=False),
    Column("pass_through", Boolean, nullable=False, default=False),
    Column("migratable", Boolean, nullable=False, default=True),
    Column("custom_properties", JSON, nullable=False, default=list),
    Column("revision", Integer, nullable=False, default=1),
    UniqueConstraint("network_id", "name", name="uq_vnic_profiles_network_id_name"),
)

hosts = Table(
    "hosts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("address", String(256), nullable=False),
    Column("cluster_id", ID, ForeignKey("clusters.id"), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("type", String(32), nullable=False),
    Column("port", Integer, nullable=False, default=54321),
    Column("description", Text, nullable=False, default=""),
    Column("comment", Text, nullable=False, default=""),
    Column("status_detail", Text, nullable=False, default=""),
    Column("resolved_addresses", JSON, nullable=False, default=list),
    Column("enrolled", Boolean, nullable=False, default=False),
    Column("activate_after_install", Boolean, nullable=False, default=True),
    Column("net_config_dirty", Boolean, nullable=False, default=False),
    Column("revision", Integer, nullable=False, default=1),
)

host_reports = Table(
    "host_reports",
    metadata,
    Column("host_id", ID, ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True),
    Column("capabilities", JSON, nullable=False),
    Column("change_counter", Integer, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
)

network_attachments = Table(
    "network_attachments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("host_id", ID, ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("network_id", ID, ForeignKey("networks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("nic_name", String(64), nullable=False),
    Column("ip_assignments", JSON, nullable=False, default=list),
    Column("dns_servers", JSON, nullable=False, default=list),
    Column("qos", JSON, nullable=True),  # a host network QoS override: {"ls": .., "ul": .., "rt": ..} in Mbps
    Column("revision", Integer, nullable=False, default=1),
    UniqueConstraint("host_id", "network_id", name="uq_network_attachments_host_network"),
)

host_nic_labels = Table(
    "host_nic_labels",
    metadata,
    Column("host_id", ID, ForeignKey("hosts.id", ondelete="CASCADE"), primary_key=True),
    Column("nic_name", String(64), primary_key=True),
    Column("label", String(256), primary_key=True),
)

events = Table(
    "events",
    metadata,
    Column("index", Integer, primary_key=True, autoincrement=True),
    Column("code", Integer, nullable=False),
    Column("name", String(128), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("correlation_id", String(128), nullable=False, index=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("user_name", String(256), nullable=True),
    Column("data_center_id", ID, nullable=True),
    Column("cluster_id", ID, nullable=True),
    Column("host_id", ID, nullable=True),
    Column("network_id", ID, nullable=True),
    Column("vnic_profile_id", ID, nullable=True),
    Column("custom_data", Text, nullable=False, default=""),
    Column("origin", String(64), nullable=False, default="dcnet"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("correlation_id", String(128), nullable=False, index=True),
    Column("start_time", DateTime(timezone=True), nullable=False),
    Column("last_updated", DateTime(timezone=True), nullable=False),
    Column("end_time", DateTime(timezone=True), nullable=True),
    Column("owner", String(256), nullable=True),
    Column("external", Boolean, nullable=False, default=False),
    Column("auto_cleared", Boolean, nullable=False, default=True),
)

steps = Table(
    "steps",
    metadata,
    Column("id", ID, primary_key=True),
    Column("job_id", ID, ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("start_time", DateTime(timezone=True), nullable=False),
    Column("end_time", DateTime(timezone=True), nullable=True),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

Index("ix_events_time", events.c.time)
