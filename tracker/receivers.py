"""The domain listens: stored articles are queued for tagging; deleted ones leave their story."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from ingest.signals import articles_stored
from tracker.models import Assessment
from tracker.stories import refresh_story
from tracker.tasks import TAGGING_BATCH_SIZE, queue_tagging


@receiver(articles_stored, dispatch_uid="tracker.tag_stored_articles")
def tag_stored_articles(sender, feed_id: int, new_ids: list[int], updated_ids: list[int], **kwargs) -> None:
    # The signal is sent after the transaction committed, so a worker always finds these rows. With the broker
    # unreachable nothing is raised into the poll: the articles are stored, and the sweep queues their tagging later.
    queue_tagging(sorted(set(new_ids) | set(updated_ids)), TAGGING_BATCH_SIZE)


@receiver(post_delete, sender=Assessment, dispatch_uid="tracker.recount_story_after_delete")
def recount_story_after_delete(sender, instance: Assessment, **kwargs) -> None:
    # Deleting an article cascades to its assessment; its story must not keep counting it.
    if instance.story_id:
        transaction.on_commit(lambda: refresh_story(instance.story_id))
