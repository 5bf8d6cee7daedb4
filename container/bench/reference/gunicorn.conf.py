# gunicorn behind nginx on a unix socket, sync workers.
import os

bind = "unix:" + os.environ["REFERENCE_SOCKET"]
workers = int(os.environ.get("MODEL_SERVER_WORKERS", "2"))
worker_class = "sync"
timeout = int(os.environ.get("MODEL_SERVER_TIMEOUT", "60"))
