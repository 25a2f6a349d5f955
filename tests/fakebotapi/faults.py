"""Fault injection: make the next calls of a method fail the way the network or Telegram can."""

from __future__ import annotations

import threading
from dataclasses import dataclass

# retry_after:  429 "Too Many Requests: retry after N" with parameters.retry_after (not executed)
# server_error: 502 "Bad Gateway" (not executed)
# timeout:      no answer; PTB raises TimedOut (not executed)
# late_timeout: executed, but the answer is lost; PTB raises TimedOut (a retry sends twice)
# drop:         connection closed without an answer; PTB raises NetworkError (not executed)
FAULT_KINDS = ("retry_after", "server_error", "timeout", "late_timeout", "drop")
ANY_METHOD = "*"


@dataclass
class Fault:
    """``kind`` for the next ``remaining`` calls of ``method`` (lower case, or ``*``)."""

    method: str
    kind: str
    remaining: int
    retry_after: int = 1


class FaultPlan:
    """The faults waiting to be applied, in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def inject(self, method: str, fault: str, *, times: int = 1, retry_after: int = 1) -> None:
        if fault not in FAULT_KINDS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(Fault(method.lower(), fault, times, retry_after))

    def take(self, method: str) -> Fault | None:
        """The fault for this call of ``method``, if any; uses up one of its ``times``."""
        name = method.lower()
        with self._lock:
            for fault in self._faults:
                if fault.method in (name, ANY_METHOD):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
