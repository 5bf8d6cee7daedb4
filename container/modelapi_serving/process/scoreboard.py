"""Per-worker state shared through anonymous shared memory (created before fork).

Slot i holds: when worker i's current request began (monotonic seconds, 0 when
idle), which the supervisor uses for the request timeout; and how many
connections worker i holds, which the workers use to share connections fairly.
A worker that does not listen (still loading, stopping, dead) holds
`NOT_LISTENING` connections, so no sibling leaves a connection to it.
"""

import mmap
import struct

_BUSY = struct.Struct("d")
_CONNS = struct.Struct("q")
SLOT_SIZE = 16
NOT_LISTENING = 1 << 30


class Scoreboard:
    def __init__(self, slots: int):
        self.slots = slots
        self.mem = mmap.mmap(-1, SLOT_SIZE * slots)

    def reset(self, slot: int) -> None:
        """A slot for a worker about to start: idle, and not listening until it says so."""
        _BUSY.pack_into(self.mem, slot * SLOT_SIZE, 0.0)
        _CONNS.pack_into(self.mem, slot * SLOT_SIZE + 8, NOT_LISTENING)

    def set_busy(self, slot: int, since: float) -> None:
        _BUSY.pack_into(self.mem, slot * SLOT_SIZE, since)

    def busy_since(self, slot: int) -> float:
        return _BUSY.unpack_from(self.mem, slot * SLOT_SIZE)[0]

    def set_connections(self, slot: int, count: int) -> None:
        _CONNS.pack_into(self.mem, slot * SLOT_SIZE + 8, count)

    def fewest_connections_elsewhere(self, slot: int) -> int:
        """The lowest connection count among the other workers (`NOT_LISTENING` if none listens)."""
        fewest = NOT_LISTENING
        for other in range(self.slots):
            if other != slot:
                count = _CONNS.unpack_from(self.mem, other * SLOT_SIZE + 8)[0]
                if count < fewest:
                    fewest = count
        return fewest

    def idle_worker_with_fewer(self, slot: int, count: int) -> bool:
        """Whether another listening worker holds fewer than `count` connections and is not in a request."""
        for other in range(self.slots):
            if other != slot:
                if _CONNS.unpack_from(self.mem, other * SLOT_SIZE + 8)[0] < count and self.busy_since(other) == 0.0:
                    return True
        return False
