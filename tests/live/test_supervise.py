"""The supervisor of ``exec --live``/``shell --live`` loses no signal sent while its child starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from ssoenv.features import supervise


def test_a_sigterm_before_the_child_is_noted_is_kept_then_delivered() -> None:
    before = signal.getsignal(signal.SIGTERM)
    holder: list[subprocess.Popen[bytes]] = []
    pending: list[int] = []
    with supervise._signals(holder, pending):
        os.kill(os.getpid(), signal.SIGTERM)  # the window between fork and noting the child
        assert pending == [signal.SIGTERM]  # we are alive, and it is remembered
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        holder.append(child)
        os.kill(os.getpid(), signal.SIGTERM)  # once noted, forwarded straight away
        assert child.wait(10) == -signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before  # our handlers are gone


def test_a_signal_the_kernel_hands_to_another_thread_is_forwarded() -> None:
    """With the endpoint's threads running, a SIGTERM sent to us may be delivered to one of them,
    which does not interrupt the main thread's wait for the child: it must be forwarded anyway."""
    import threading
    import time

    def hand_over() -> None:
        time.sleep(1.0)  # the child is running
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # delivered to this thread

    helper = threading.Thread(target=hand_over)
    begin = time.monotonic()
    helper.start()
    status = supervise.run([sys.executable, "-c", "import time; time.sleep(30)"], dict(os.environ))
    helper.join()
    assert status == -signal.SIGTERM
    assert time.monotonic() - begin < 10
