"""Persistence: SQLAlchemy tables, repositories, Alembic migrations (SQLite or PostgreSQL)."""
