"""The embedded broker of `make run`: kombu's filesystem transport, with atomic writes.

kombu writes a message straight into the queue folder under its final name, and its reader
neither waits for the writer's lock nor skips an empty file, so a worker polling at the wrong
moment reads a half-written message and dies on the JSON error. Here a message is written under
a name no reader looks at (readers take only "<...>.<queue>.msg") and then renamed into place,
which is atomic on a POSIX file system.
"""

import os
import time
import uuid

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The same name shape as kombu's: readers sort by the leading milliseconds.
        name = f"{int(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as file:
                file.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as error:
            raise ChannelError(f"Cannot add file {final!r} to directory") from error


class Transport(filesystem.Transport):
    Channel = Channel


def use_atomic_filesystem_transport() -> None:
    """Make `filesystem://` URLs use this transport in this process."""
    TRANSPORT_ALIASES["filesystem"] = "mentorship.broker:Transport"
