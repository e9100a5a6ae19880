"""The operator logged in at the station, and the lock-out after repeated wrong PINs.

No Qt here; the idle log-out timer lives in the main window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.ui.queries import OperatorEntry

# Five wrong PINs in a row lock that badge's PIN login for a minute: enough
# for fat-fingered gloves, too slow to try the 10,000 four-digit PINs.
MAX_PIN_FAILURES = 5
PIN_LOCKOUT_S = 60.0


@dataclass
class PinAttempts:
    """Counts wrong PINs per badge and locks the badge's PIN login after too many in a row."""

    max_failures: int = MAX_PIN_FAILURES
    lockout_s: float = PIN_LOCKOUT_S
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)

    def locked_for_s(self, badge_id: str) -> float:
        """Return the seconds left before this badge may try a PIN again (0 when it may)."""
        return max(self._locked_until.get(badge_id, 0.0) - self.clock(), 0.0)

    def record_failure(self, badge_id: str) -> None:
        """Count a wrong PIN; the last allowed failure starts the lock-out."""
        count = self._failures.get(badge_id, 0) + 1
        if count >= self.max_failures:
            self._locked_until[badge_id] = self.clock() + self.lockout_s
            count = 0
        self._failures[badge_id] = count

    def failures(self, badge_id: str) -> int:
        """Return the wrong PINs in a row since the last success or lock-out."""
        return self._failures.get(badge_id, 0)

    def record_success(self, badge_id: str) -> None:
        """Forget the badge's wrong PINs."""
        self._failures.pop(badge_id, None)
        self._locked_until.pop(badge_id, None)


@dataclass
class Session:
    """The logged-in operator (None when no operator is logged in) and how they logged in (badge or pin)."""

    operator: OperatorEntry | None = None
    method: str = ""

    @property
    def is_logged_in(self) -> bool:
        """Whether an operator is logged in."""
        return self.operator is not None

    @property
    def operator_id(self) -> str:
        """The logged-in operator's badge id; raises RuntimeError when no operator is logged in."""
        if self.operator is None:
            raise RuntimeError("no operator is logged in")
        return self.operator.badge_id

    def log_in(self, operator: OperatorEntry, *, method: str) -> None:
        """Make `operator` the one on every event from now on."""
        self.operator = operator
        self.method = method

    def log_out(self) -> None:
        """End the session."""
        self.operator = None
        self.method = ""
