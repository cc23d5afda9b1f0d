"""An uploaded file kept between its preview and its confirmation, named by its SHA-256.

The confirmation posts the digest instead of the file: the server applies exactly the
bytes it previewed, and a digest that names no kept file is refused.
"""

import hashlib
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

_DIGEST = re.compile(r"[0-9a-f]{64}")


def _path(digest: str) -> str:
    return f"setup/pending/{digest}.bin"


def pending_file(form) -> tuple[bytes, str] | None:
    """The bytes and name of the form's new upload (kept) or of its preview's digest.

    The form's data is updated so the page carries the digest to the confirmation.
    """
    upload = form.cleaned_data.get("file")
    if upload is not None:
        data, name = upload.read(), upload.name
        digest = hashlib.sha256(data).hexdigest()
        if not default_storage.exists(_path(digest)):
            default_storage.save(_path(digest), ContentFile(data))
    else:
        digest, name = form.cleaned_data.get("digest", ""), form.cleaned_data.get("file_name", "")
        if not _DIGEST.fullmatch(digest) or not default_storage.exists(_path(digest)):
            return None
        with default_storage.open(_path(digest), "rb") as handle:
            data = handle.read()
    form.data = form.data.copy()
    form.data["digest"], form.data["file_name"] = digest, name
    return data, name


def pending_drop(form) -> None:
    digest = form.data.get("digest", "")
    if _DIGEST.fullmatch(digest):
        default_storage.delete(_path(digest))
