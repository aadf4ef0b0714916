"""The product's URLs plus /bench/hello/, which exists only while bench/load.py runs: a
hello-world view through the same middleware, to compare the pages' throughput with."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world\n", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("", include("improveplan.urls")),
]
