from django.http import HttpResponse, JsonResponse


def provinces_json(request):
    return JsonResponse({})


def dashboard(request, slug):
    return HttpResponse("")


def progress_json(request, slug):
    return JsonResponse({})
