"""The one exception type for bad input: it names the place and says what to do."""
from __future__ import annotations


class InputError(Exception):
    """Bad input found in a file; printed as one line `path[:line[:col]]: what — fix`."""

    def __init__(self, path, problem: str, fix: str = "", line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        self.line = line
        self.column = column
        super().__init__(self.one_line())

    def __reduce__(self):
        # Errors raised in a worker process travel back pickled: rebuild them from their fields.
        return self.__class__, (self.path, self.problem, self.fix, self.line, self.column)

    def one_line(self) -> str:
        """Return the message as a single line, the form maintainers see."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        message = f"{where}: {self.problem}"
        if self.fix:
            message += f" — {self.fix}"
        return " ".join(message.split())
