"""The request grammar of RFC 9112 (and the RFC 9110 rules it uses), as regular expressions.

Each expression quotes the ABNF it implements. Where this server is stricter
than the RFC allows (a narrower request-target, no whitespace before a chunk
extension), the comment says so: the server stays at least as strict as h11.
"""

import re

# RFC 9110 5.6.2: token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
TOKEN_RE = re.compile(TOKEN.decode())

# RFC 9110 5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
QUOTED_STRING = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'

# RFC 9112 3: request-line = method SP request-target SP HTTP-version
#   method = token; HTTP-version = HTTP-name "/" DIGIT "." DIGIT (2.3)
# request-target: origin-form (an absolute path and query, 3.2.1) or asterisk-form (3.2.4), visible ASCII only
REQUEST_LINE = re.compile(rb"(" + TOKEN + rb") (/[\x21-\x7e]*|\*) HTTP/1\.([01])")

# RFC 9112 5: field-line = field-name ":" OWS field-value OWS
#   no whitespace between the name and the colon (5.1), and no obs-fold (5.2): a line must start with a name
FIELD_LINE = re.compile(rb"(" + TOKEN + rb"):(.*)", re.S)

# RFC 9110 5.5: field-value = *field-content; field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
#   what a value may not hold: controls other than HTAB, DEL (bare CR and LF included, RFC 9112 2.2)
FIELD_VALUE_FORBIDDEN = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

# RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; chunk-size = 1*HEXDIG
# RFC 9112 7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
#   chunk-ext-name = token; chunk-ext-val = token / quoted-string
# Stricter: at most 16 hex digits (a size beyond any body limit is refused before it is converted),
# and no whitespace between the size and the first ";", which h11 refuses.
CHUNK_LINE = re.compile(
    rb"([0-9A-Fa-f]{1,16})(?![ \t])"
    rb"((?:[ \t]*;[ \t]*" + TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + TOKEN + rb"|" + QUOTED_STRING + rb"))?)*)"
)
