"""The live stream (/notifications/live) read in a thread, as an open console reads it."""
import json
import threading

import requests


def listening(system, client, wanted=lambda event, data: True) -> tuple[threading.Thread, list[dict]]:
    """Opens the client's live stream in a thread and returns once it is open: the thread, and the
    list that receives the data of the first event `wanted(event, data)` accepts."""
    found, ready = [], threading.Event()
    listener = threading.Thread(target=_listen, args=(system, client, found, ready, wanted), daemon=True)
    listener.start()
    assert ready.wait(10), "the live stream did not open"
    return listener, found


def _listen(system, client, found: list, ready: threading.Event, wanted) -> None:
    """Reads until a wanted event arrives or the stream ends: then nothing is found (a thread that
    died would fail whichever test runs next)."""
    try:
        with requests.get(f"{system.base_url}/api/v1/notifications/live", stream=True, timeout=30,
                          headers=client.session.headers) as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            ready.set()
            event = None
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and wanted(event, data := json.loads(line[6:])):
                    found.append(data)
                    return
    except requests.RequestException:
        return
