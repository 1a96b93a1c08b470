"""``python -m actions``: serve the action service on loopback (``ACTIONS_PORT``, 3000)."""

from __future__ import annotations

import logging
import os

import uvicorn

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    port = int(os.environ.get("ACTIONS_PORT", "3000"))
    uvicorn.run("actions.app:app", host="127.0.0.1", port=port, loop="uvloop",
                http="httptools", access_log=False)
