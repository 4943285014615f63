"""The embedded broker writes each message atomically: a reader never sees half of one."""

import threading

from kombu import Connection

from mentorship.broker import Channel


def _connection(folder):
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    )


def test_filesystem_urls_use_the_atomic_channel(tmp_path):
    with _connection(tmp_path) as connection:
        assert isinstance(connection.default_channel, Channel)


def test_a_reader_racing_a_writer_gets_every_message_whole(tmp_path):
    count = 300
    with _connection(tmp_path) as writer_connection, _connection(tmp_path) as reader_connection:
        queue = writer_connection.SimpleQueue("race")
        reader = reader_connection.SimpleQueue("race")
        payload = "x" * 20_000  # big enough that a write takes more than one system call

        def write():
            for number in range(count):
                queue.put({"number": number, "padding": payload})

        thread = threading.Thread(target=write)
        thread.start()
        received = []
        while len(received) < count:
            message = reader.get(block=True, timeout=10)
            received.append(message.payload["number"])
            message.ack()
        thread.join()

    assert sorted(received) == list(range(count))
    assert not list(tmp_path.glob("*.partial"))
