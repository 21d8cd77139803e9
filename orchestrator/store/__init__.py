"""Persistence: the SQLAlchemy tables, the database handle, and the queries."""
