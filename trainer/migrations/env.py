"""Alembic runs this for every command: migrate the connection that trainer.schema hands over."""
from alembic import context

from trainer.extensions import db

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise SystemExit("Run migrations through `trainer db-upgrade` or trainer.schema, "
                     "which pass Alembic a connection (there is no alembic.ini).")

# render_as_batch: on SQLite, ALTERs become "copy the table, swap it in" (batch mode).
context.configure(connection=connection, target_metadata=db.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
