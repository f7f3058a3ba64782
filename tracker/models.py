"""Domain models of the tracker.

The module exists even while the domain keeps its data elsewhere: Django sends
post_migrate only to apps with a models module, and the role groups are created
on post_migrate (see tracker.apps).
"""
