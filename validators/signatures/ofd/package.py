"""The OFD package reader lives in pipeline/ofd_package.py (the content reader needs it too); re-exported here
for the signature verifier."""

from pipeline.ofd_package import (  # noqa: F401
    Limits, OfdPackage, SignatureEntry, child, children_named, descendant, local_name, text_of,
)
