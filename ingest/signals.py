"""What ingest announces; the domain listens. Ingest never imports the domain."""

from django.dispatch import Signal

# Sent after the transaction that stored the articles has committed, with
# feed_id, new_ids (articles created) and updated_ids (articles whose text changed).
articles_stored = Signal()
