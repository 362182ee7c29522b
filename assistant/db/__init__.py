"""The durable need log: SQLAlchemy 2 models, engine set-up and numbered migrations."""
