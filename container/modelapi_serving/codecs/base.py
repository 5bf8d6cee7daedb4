"""What a codec is: one content type's decoder and encoder, under the media type it is found by."""

from typing import Any, Callable, NamedTuple, Optional, Tuple

# A decoded request body: (rows, envelope), the envelope being the JSON key the rows came under
# ("instances", "inputs") or None, so the JSON encoder can answer in the same convention.
Decoded = Tuple[Any, Optional[str]]

Decoder = Callable[[bytes], Decoded]
# a decoder for a body that unpacks (an archive): it takes the most bytes the body may unpack to
ArchiveDecoder = Callable[[bytes, int], Decoded]
Encoder = Callable[[Any, Optional[str]], bytes]


class Codec(NamedTuple):
    """One content type as the server reads and writes it.

    `name` is the contract's name for the type (`contract.json`'s `contentTypes`
    key) when the contract has it; the media type then comes from that row.
    """

    name: str
    media_type: str
    aliases: Tuple[str, ...] = ()
    # user `input_fn`s receive these bodies as `str`, as in AWS's scikit-learn container
    text: bool = False
    decode: Optional[Decoder] = None
    encode: Optional[Encoder] = None
    decode_within: Optional[ArchiveDecoder] = None
