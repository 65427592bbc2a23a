"""The session hooks a process installs before it writes: ``create_app``, the CLI, tests.

They listen on every ``Session``: each flush is audited (``app.audit.recorder``) and its
matchable writes enter the index change log (``app.changes.recorder``) in the same
transaction. Installing twice is harmless.
"""

from app.audit import recorder as audit
from app.changes import recorder as changes


def install() -> None:
    audit.install()
    changes.install()
