"""ModelApi's SageMaker-compatible model server.

Start it with the `serve` script next to this package; see container/README.md.
"""
