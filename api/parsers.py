"""JSON bodies parsed with a bounded nesting: a body nested deeper than Python can
recurse (`[[[[…]]]]` 100,000 deep) is a 400 naming the limit, never a RecursionError."""

import sys

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("Nội dung JSON lồng nhau quá sâu; tối đa khoảng %(n)s cấp (thường chỉ cần 1).")
                % {"n": sys.getrecursionlimit() // 2}
            ) from None
