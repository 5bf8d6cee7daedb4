"""Per-worker state shared through anonymous shared memory (created before fork).

Slot i holds: when worker i's current request began (monotonic seconds, 0 when
idle), which the supervisor uses for the request timeout; and how many
connections worker i holds, which the workers use to share connections fairly.
"""

import mmap
import struct

_BUSY = struct.Struct("d")
_CONNS = struct.Struct("q")
SLOT_SIZE = 16


class Scoreboard:
    def __init__(self, slots: int):
        self.slots = slots
        self.mem = mmap.mmap(-1, SLOT_SIZE * slots)

    def reset(self, slot: int) -> None:
        _BUSY.pack_into(self.mem, slot * SLOT_SIZE, 0.0)
        _CONNS.pack_into(self.mem, slot * SLOT_SIZE + 8, 0)

    def set_busy(self, slot: int, since: float) -> None:
        _BUSY.pack_into(self.mem, slot * SLOT_SIZE, since)

    def busy_since(self, slot: int) -> float:
        return _BUSY.unpack_from(self.mem, slot * SLOT_SIZE)[0]

    def set_connections(self, slot: int, count: int) -> None:
        _CONNS.pack_into(self.mem, slot * SLOT_SIZE + 8, count)

    def fewest_connections_elsewhere(self, slot: int) -> int:
        """The lowest connection count among the other workers (a large number if none)."""
        fewest = 1 << 30
        for other in range(self.slots):
            if other != slot:
                count = _CONNS.unpack_from(self.mem, other * SLOT_SIZE + 8)[0]
                if count < fewest:
                    fewest = count
        return fewest
