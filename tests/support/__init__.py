"""Test support: a real engine process on SQLite or PostgreSQL, and API clients."""
