from django.http import JsonResponse
from django.views.decorators.http import require_safe

from core.caching import revalidated

from .models import AdminUnit


@require_safe
@revalidated
def provinces_json(request):
    """Every province-level unit, legacy and current, with its validity and successor."""
    units = AdminUnit.objects.provinces().select_related("successor").order_by("search_name", "valid_to")
    return JsonResponse({
        "provinces": [
            {
                "slug": u.slug,
                "code": u.code,
                "name": u.name,
                "short_name": u.short_name,
                "valid_from": u.valid_from,
                "valid_to": u.valid_to,
                "successor": u.successor.slug if u.successor else None,
                "url": request.build_absolute_uri(u.get_absolute_url()),
            }
            for u in units
        ]
    })
