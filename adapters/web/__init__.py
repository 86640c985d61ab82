"""The web board: server-rendered pages, a JSON API and Atom feeds over the core's reads."""
