"""Git blob ids worked out from a file's bytes: what ``git hash-object`` prints, so work-tree files and a revision's
blobs share ids (the facts cache's keys). Nothing here starts git."""

from __future__ import annotations

import hashlib


def git_blob_id(data: bytes) -> str:
    """The git blob id of ``data``."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()
