//! SQLite store: schema, migrations, transactional idempotent import, queries.
