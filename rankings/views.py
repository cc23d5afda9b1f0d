"""Public pages: they read published results only."""

from django.shortcuts import render


def home(request):
    return render(request, "rankings/home.html", {})
