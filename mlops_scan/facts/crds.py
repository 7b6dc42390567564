"""The API groups a YAML stream's CustomResourceDefinitions define (for the ``yaml`` kind: a repository owns them)."""

from __future__ import annotations

import re

CRD_KIND = "CustomResourceDefinition"
_CRD_HEADER = re.compile(r"^kind:[ \t]*[\"']?CustomResourceDefinition[\"']?[ \t\r]*(?:#.*)?$", re.M)
_SPEC = re.compile(r"^spec:[ \t\r]*(?:#.*)?$", re.M)
_CHILD = re.compile(r"^([ \t]+)[^ \t\r\n#]", re.M)
_ROOT_LINE = re.compile(r"^[^ \t\r\n#]", re.M)


def crd_groups(text: str) -> set[str]:
    """``spec.group`` of each CustomResourceDefinition of a stream, read from its lines (block style; a
    CRD's schema can be megabytes, never composed for this)."""
    from mlops_scan.facts.yamlnodes import split_documents  # PyYAML's module: only for a file that names a CRD

    groups: set[str] = set()
    for _, chunk in split_documents(text) or [(0, text)]:
        if not _CRD_HEADER.search(chunk):
            continue
        spec = _SPEC.search(chunk)
        child = _CHILD.search(chunk, spec.end()) if spec else None
        if spec is None or child is None:
            continue
        end = _ROOT_LINE.search(chunk, spec.end())
        group = re.compile(
            rf"^{re.escape(child.group(1))}group:[ \t]*[\"']?([A-Za-z0-9][A-Za-z0-9.-]*)[\"']?[ \t\r]*(?:#.*)?$", re.M
        )
        found = group.search(chunk, spec.end(), end.start() if end else len(chunk))
        if found:
            groups.add(found.group(1))
    return groups
