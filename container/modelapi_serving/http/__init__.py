"""The HTTP/1.1 side of the server: bytes in, requests out, answers written back.

It knows nothing of models or codecs: it hands each request to an app callback
and writes what the callback answers. Besides framing it holds the HTTP-level
steps every request shares: undoing a `Content-Encoding`, and choosing a
response type from `Accept`.
"""
