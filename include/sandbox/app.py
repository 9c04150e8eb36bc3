"""The sandbox: one local process on loopback serving every external system's stand-in.

| prefix      | system                       | module                                |
|-------------|------------------------------|---------------------------------------|
| /moodle     | Moodle web services (REST)   | include/sandbox/moodle_ws/            |
| /eios       | university information system| include/sandbox/eios.py               |
| /kontur     | Kontur.Talk API              | include/sandbox/kontur.py             |
| /lms        | kindergarten LMS             | include/sandbox/kindergarten_lms.py   |
| /registry   | voucher registry             | include/sandbox/voucher_registry.py   |
| /_control   | faults and call counts       | include/sandbox/faults.py             |

State lives in MariaDB: Moodle's tables in `moodle_db`, the other systems'
in the sandbox database (`SANDBOX_DB`), so a test changes a feed with SQL.
"""

from __future__ import annotations

import importlib
import threading
import time

from fastapi import FastAPI

ROUTER_MODULES = (
    "include.sandbox.faults",
    "include.sandbox.moodle_ws.server",
    "include.sandbox.eios",
    "include.sandbox.kontur",
    "include.sandbox.kindergarten_lms",
    "include.sandbox.voucher_registry",
)


def create_app() -> FastAPI:
    app = FastAPI(title="LMS pipelines sandbox", docs_url="/_docs")
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)

    @app.get("/_health")
    def health() -> dict:
        return {"status": "ok"}

    return app


def serve_forever(port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


class BackgroundSandbox:
    """The sandbox in a thread of this process (tests); stops with `stop()`."""

    def __init__(self, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(
            create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = port

    def start(self) -> BackgroundSandbox:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the sandbox did not start on 127.0.0.1:{self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
