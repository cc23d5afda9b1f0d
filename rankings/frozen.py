"""Published means frozen: a criteria set, once a publication used it, is read-only.

The set, its groups, criteria and bands share one rule: `save`, `delete`, bulk `update`
and `delete`, and `clean` (the admin's forms) all refuse, so every path meets it.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def _publications():
    """`Publication`'s manager, looked up late: the models module imports this one."""
    return apps.get_model("rankings", "Publication").objects


class Frozen(Exception):
    """A write refused because it would change what a publication froze (its criteria
    set, its groups, criteria and bands, or the cycle's identity); the message says why."""


def criteria_set_published(criteria_set_id) -> bool:
    """Whether any publication used this criteria set: then it is read-only everywhere."""
    return _publications().filter(cycle__criteria_set_id=criteria_set_id).exists()


def frozen_message(criteria_set) -> str:
    return _(
        "Bộ tiêu chí “%(s)s” đã được dùng cho kết quả công bố nên không sửa, thêm hay xoá được "
        "(kể cả nhóm, tiêu chí, xếp loại). Muốn thay đổi, hãy sao chép thành bộ mới cho kỳ sau."
    ) % {"s": criteria_set}


class FrozenQuerySet(models.QuerySet["FrozenOncePublished"]):
    """Bulk updates and deletes refuse rows of a published criteria set, as `save` does."""

    def _refuse_frozen(self) -> None:
        field = self.model.FROZEN_BY
        published = (
            _publications()
            .filter(cycle__criteria_set__in=self.values(field))
            .select_related("cycle__criteria_set")
        )
        if first := published.first():
            raise Frozen(frozen_message(first.cycle.criteria_set))

    def update(self, **kwargs):
        self._refuse_frozen()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_frozen()
        return super().delete()


class FrozenOncePublished(models.Model):
    """A criteria set or one of its parts: read-only once a publication used the set.

    `save` and `delete` refuse (`Frozen`), and `clean` refuses with a form error, so the
    admin, the services and a stray script all meet the same rule.
    """

    FROZEN_BY = "criteria_set"
    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if (frozen := self.frozen_set()) is not None:
            raise Frozen(frozen_message(frozen))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if (frozen := self.frozen_set()) is not None:
            raise Frozen(frozen_message(frozen))
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if (frozen := self.frozen_set()) is not None:
            raise ValidationError(frozen_message(frozen))

    def frozen_set(self):
        """The published criteria set this row belongs (or belonged) to, or None while it
        may change. A part moved out of a published set is refused as well as one moved in."""
        if self.FROZEN_BY == "id":
            ids = {self.pk}
        else:
            ids = {self.criteria_set_id}
            if self.pk is not None:
                stored = type(self)._base_manager.filter(pk=self.pk)
                ids.add(stored.values_list("criteria_set_id", flat=True).first())
        ids.discard(None)
        if not ids:
            return None
        published = (
            _publications()
            .filter(cycle__criteria_set_id__in=ids)
            .select_related("cycle__criteria_set")
            .first()
        )
        return published.cycle.criteria_set if published else None
