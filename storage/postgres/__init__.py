"""The store on PostgreSQL: the shared database of several ideabot processes."""
