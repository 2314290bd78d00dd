"""Running one test for the checker: which exercises it calls (a profile hook on their code
objects) and a time limit (SIGALRM) that stops an infinite loop and names the exercise it is in."""
import signal
import sys


class ExerciseTimeout(Exception):
    """A test ran longer than --exercise-timeout (an infinite loop, most likely)."""


class Watch:
    """Context manager around one test: `called` fills with the exercises it calls; after a
    time-out, `timed_out` names the exercise it was stopped in (None if in none).

    `looping`: exercises stopped in an earlier test, updated here; such an exercise is stopped
    as soon as it is called again (one infinite loop costs one time limit, not one per test)."""

    def __init__(self, by_key, timeout, looping):
        self.by_key, self.files = by_key, {k[0] for k in by_key}
        self.timeout, self.looping = timeout, looping
        self.timed = bool(timeout and timeout > 0 and hasattr(signal, "setitimer"))
        self.called, self.timed_out, self._cut, self._finished = set(), None, [], False

    def _profile(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename in self.files:
            name = self.by_key.get((frame.f_code.co_filename, frame.f_code.co_firstlineno))
            if name:
                self.called.add(name)
                if self.timed and name in self.looping and not self._cut:  # it looped before: stop it now
                    self._cut.append(name)
                    signal.setitimer(signal.ITIMER_REAL, 1e-4)

    def _alarm(self, signum, frame):
        if self._finished:  # the test ended just before the alarm: nothing to stop
            return
        if self._cut:
            self.timed_out = self._cut[0]
            raise ExerciseTimeout(f"{self._cut[0]}: still running after {self.timeout:g} s in an earlier test, infinite loop?")
        where = []
        while frame is not None:  # the innermost exercise on the stack is the one looping
            name = self.by_key.get((frame.f_code.co_filename, frame.f_code.co_firstlineno))
            if name:
                where.append(name)
            frame = frame.f_back
        self.timed_out = where[0] if where else None
        self.looping.update(where[:1])
        who = f"{where[0]}: " if where else ""
        raise ExerciseTimeout(f"{who}still running after {self.timeout:g} s, infinite loop?")

    def __enter__(self):
        if self.timed:
            self._old_handler = signal.signal(signal.SIGALRM, self._alarm)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        self._finished = True
        if self.timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
        sys.setprofile(self._previous)
        return False
