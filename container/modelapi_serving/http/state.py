"""The states of a server connection and the moves between them, as data.

A connection answers its requests one at a time, in order, so at any moment
it is doing exactly one of these things. Whether the client has stopped
reading (write back-pressure) or half-closed its side is tracked beside the
state: either can happen in any state.
"""

import enum
from typing import Dict, FrozenSet, Tuple


class State(enum.Enum):
    IDLE = "idle"  # nothing of the next request yet: the keep-alive timeout runs
    READING_HEAD = "reading head"  # part of a head has arrived: the header deadline runs
    READING_BODY = "reading body"  # the head is read, the body is arriving: the body deadline runs
    WAITING = "waiting"  # the app answers later (a batched prediction): no deadline, nothing more is read
    DRAINING = "draining"  # an unreadable request was answered; what still arrives is dropped until close
    CLOSED = "closed"


# Where each state may go. A request read in full is answered at once or deferred (WAITING); an answer
# returns the connection to IDLE, or CLOSED when it was the last; a request that cannot be read goes to
# DRAINING. Anything may be CLOSED by the peer or by a shutdown.
TRANSITIONS: Dict[State, FrozenSet[State]] = {
    State.IDLE: frozenset({State.READING_HEAD, State.READING_BODY, State.WAITING, State.DRAINING, State.CLOSED}),
    State.READING_HEAD: frozenset({State.IDLE, State.READING_BODY, State.WAITING, State.DRAINING, State.CLOSED}),
    State.READING_BODY: frozenset({State.IDLE, State.WAITING, State.DRAINING, State.CLOSED}),
    State.WAITING: frozenset({State.IDLE, State.CLOSED}),
    State.DRAINING: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
}

# The states in which the connection reads and parses what arrives.
READING: FrozenSet[State] = frozenset({State.IDLE, State.READING_HEAD, State.READING_BODY})

# The deadline each state runs against: the part of the request that must arrive, and the
# configuration setting (seconds) it has, counted from the state's start.
DEADLINES: Dict[State, Tuple[str, str]] = {
    State.READING_HEAD: ("head", "header_timeout"),
    State.READING_BODY: ("body", "body_timeout"),
}


class InvalidTransition(RuntimeError):
    """A move the table does not allow: a bug in the connection, never the client's doing."""
