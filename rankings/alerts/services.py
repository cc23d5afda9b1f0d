"""Alert writes and sends: sign up, confirm, unsubscribe, and announce a publication.

Sign-ups never tell whether an address was already subscribed: every valid request gets
the same answer, and a confirmation mail goes out only when the address has had none for
`ALERT_CONFIRMATION_MINUTES` (so nobody can use the form to flood an inbox).
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rankings.alerts import mail, tokens
from rankings.alerts.models import AlertSubscription
from rankings.models import Publication

logger = logging.getLogger(__name__)


@transaction.atomic
def subscription_request(*, email: str, province, agency=None, language: str) -> bool:
    """Record a pending sign-up and send its confirmation; True when a mail was sent.

    A confirmed subscription is left as it is; a pending one keeps its row (the latest
    language wins) and gets a new mail only past the per-address interval."""
    email = email.strip().lower()
    subscription, _created = AlertSubscription.objects.select_for_update().get_or_create(
        email=email, province=province, agency=agency, defaults={"language": language}
    )
    if subscription.confirmed_at is not None:
        return False
    subscription.language = language
    if _confirmation_sent_lately(email):
        subscription.save(update_fields=["language"])
        return False
    subscription.confirmation_sent_at = timezone.now()
    subscription.save(update_fields=["language", "confirmation_sent_at"])
    from rankings.jobs.kinds import confirmation_mail

    confirmation_mail(subscription)  # a job, sent once the sign-up commits
    return True


def _confirmation_sent_lately(email: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.ALERT_CONFIRMATION_MINUTES)
    return AlertSubscription.objects.filter(email=email, confirmation_sent_at__gte=since).exists()


def subscription_confirm(*, token: str) -> tuple[AlertSubscription | None, bool]:
    """(the confirmed subscription, False), or (None, whether the link had expired)."""
    read = tokens.confirmation_read(token)
    if read.subscription_id is None:
        return None, read.expired
    subscription = (
        AlertSubscription.objects.select_related("province", "agency")
        .filter(pk=read.subscription_id, email=read.email)
        .first()
    )
    if subscription is None:
        return None, False
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription, False


def address_unsubscribe(*, token: str) -> int | None:
    """Remove every subscription of the token's address: how many, or None for a bad token."""
    email = tokens.unsubscribe_read(token)
    if email is None:
        return None
    deleted, _by_model = AlertSubscription.objects.filter(email=email).delete()
    return deleted


def publication_announce(*, publication: Publication) -> int:
    """Mail every confirmed subscriber of the publication's province or agencies, once per
    address, in the address's language; the number of mails sent."""
    publication = Publication.objects.select_related(
        "cycle__province", "cycle__block", "cycle__criteria_set"
    ).get(pk=publication.pk)
    results = {r.agency_id: r for r in publication.results.select_related("agency")}
    ranked = sum(1 for r in results.values() if r.rank is not None)
    followers = AlertSubscription.objects.filter(confirmed_at__isnull=False).filter(
        Q(province=publication.cycle.province_id, agency__isnull=True) | Q(agency__in=list(results))
    )
    by_address: dict[str, list[AlertSubscription]] = defaultdict(list)
    for subscription in followers.order_by("email", "pk"):
        by_address[subscription.email].append(subscription)
    messages = [
        mail.publication_message(
            email=email,
            language=subs[0].language,
            publication=publication,
            results=[results[s.agency_id] for s in subs if s.agency_id in results],
            ranked=ranked,
        )
        for email, subs in by_address.items()
    ]
    return _send(messages)


def _send(messages) -> int:
    """Send in one connection; a mail server's failure is logged, never raised (the
    publication has committed and must not answer 500)."""
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("alert mail failed (%s messages)", len(messages))
        return 0
