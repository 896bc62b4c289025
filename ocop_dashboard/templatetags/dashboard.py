from django import template

from ocop_dashboard import lists

register = template.Library()


@register.filter
def shown_to(producer, user) -> str:
    """The producer's name as `user` may see it (lists.shown_producer): a household by its kind to visitors."""
    return lists.shown_producer(producer, user)
