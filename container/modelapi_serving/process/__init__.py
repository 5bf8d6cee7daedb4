"""The process model: a supervisor that binds the port and keeps one worker per core alive,
the workers' event loops, their per-request-batching, and the scoreboard they share.

The supervisor imports nothing heavy (no numpy, no model): keep this package's `__init__` empty of imports.
"""
