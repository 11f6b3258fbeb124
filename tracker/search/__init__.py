"""The search index of the published record (index.py, models.py): kept current on
every save, queried by the public search page, the desk's earlier checks and the demo
generator. It belongs to no surface."""
