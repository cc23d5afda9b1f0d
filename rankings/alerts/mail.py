"""The alert mails: the confirmation and the publication notice, each in the subscriber's
language, each with a one-click unsubscribe (RFC 8058: `List-Unsubscribe` and
`List-Unsubscribe-Post`) beside the link in the text."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rankings import feeds
from rankings.alerts import tokens


def unsubscribe_url(email: str) -> str:
    token = tokens.unsubscribe_token(email=email)
    return settings.SITE_URL + reverse("alert-unsubscribe", args=[token])


def _message(*, to: str, language: str, template: str, context: dict) -> EmailMessage:
    with translation.override(language):
        subject = render_to_string(f"alerts/{template}_subject.txt", context).strip()
        body = render_to_string(f"alerts/{template}.txt", context)
    headers = context["headers"]
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)


def confirmation_message(subscription) -> EmailMessage:
    token = tokens.confirmation_token(subscription_id=subscription.pk, email=subscription.email)
    unsubscribe = unsubscribe_url(subscription.email)
    context = {
        "subscription": subscription,
        "confirm_url": settings.SITE_URL + reverse("alert-confirm", args=[token]),
        "hours": settings.ALERT_CONFIRM_HOURS,
        "unsubscribe_url": unsubscribe,
        "headers": {"List-Unsubscribe": f"<{unsubscribe}>"},
    }
    return _message(
        to=subscription.email, language=subscription.language, template="confirm", context=context
    )


def publication_message(*, email: str, language: str, publication, results, ranked: int):
    """The notice of `publication` to `email`, with the lines of the agencies it follows
    (`results`, of `ranked` ranked agencies)."""
    unsubscribe = unsubscribe_url(email)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    with translation.override(language):
        context = {
            "title": feeds.publication_title(publication),
            "summary": feeds.publication_summary(publication),
            "url": settings.SITE_URL + feeds.publication_path(publication),
            "rules": publication.cycle.criteria_set,
            "results": results,
            "ranked": ranked,
            "unsubscribe_url": unsubscribe,
            "headers": headers,
        }
    return _message(to=email, language=language, template="published", context=context)
