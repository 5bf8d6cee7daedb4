"""The scoreboard: each worker's request start and connection count, shared across fork."""

import os

from modelapi_serving.process.scoreboard import NOT_LISTENING, Scoreboard


def test_a_worker_sees_the_fewest_connections_among_the_others():
    board = Scoreboard(3)
    for slot in range(3):
        board.reset(slot)
    board.set_connections(0, 5)
    board.set_connections(1, 2)
    board.set_connections(2, 7)
    assert board.fewest_connections_elsewhere(0) == 2
    assert board.fewest_connections_elsewhere(1) == 5
    assert Scoreboard(1).fewest_connections_elsewhere(0) == 1 << 30  # alone: no one else to defer to


def test_what_a_forked_worker_writes_the_supervisor_reads():
    board = Scoreboard(2)
    board.reset(1)
    pid = os.fork()
    if pid == 0:
        board.set_busy(1, 1234.5)
        board.set_connections(1, 9)
        os._exit(0)
    os.waitpid(pid, 0)
    assert board.busy_since(1) == 1234.5 and board.fewest_connections_elsewhere(0) == 9
    board.reset(1)
    assert board.busy_since(1) == 0.0


def test_a_worker_counts_as_listening_only_once_it_says_so():
    board = Scoreboard(2)
    board.reset(0)
    board.reset(1)  # loading its model: connections must not be left to it
    assert board.fewest_connections_elsewhere(0) == NOT_LISTENING
    assert not board.idle_worker_with_fewer(0, 5)
    board.set_connections(1, 0)
    assert board.fewest_connections_elsewhere(0) == 0


def test_only_an_idle_worker_with_fewer_connections_is_waited_for():
    board = Scoreboard(3)
    for slot in range(3):
        board.reset(slot)
    board.set_connections(1, 2)
    board.set_connections(2, 4)
    assert board.idle_worker_with_fewer(0, 3)
    assert not board.idle_worker_with_fewer(0, 2)  # as many is not fewer
    board.set_busy(1, 1234.5)  # predicting: it would take the connection only after its request
    assert not board.idle_worker_with_fewer(0, 3)
    assert board.idle_worker_with_fewer(0, 5)  # worker 2 is idle and holds 4
