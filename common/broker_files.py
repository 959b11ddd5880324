"""The embedded default's broker: kombu's filesystem transport, with messages written whole.

kombu writes a message file in place, and a worker polling the folder may move and read it
before the API has written it: an empty file, a JSONDecodeError, and the Celery worker stops
("Unrecoverable error"), leaving every later round queued. Here a message is written under a
name the reader skips and then renamed into the queue, which a reader sees whole or not at all.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class _WholeMessageChannel(filesystem.Channel):
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> Any:  # type: ignore[override]  # as kombu has it
        # The reader takes files named "<stamp>_<id>.<queue>.msg" in name order: a zero-padded
        # nanosecond stamp keeps that first in, first out (kombu's milliseconds tie, then the ids decide).
        name = f"{time.monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class WholeMessageTransport(filesystem.Transport):
    Channel = _WholeMessageChannel
