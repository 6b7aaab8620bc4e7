"""The one error type a stage reports to the user: printed as one line, exit code 2 (never a traceback)."""


class StageError(Exception):
    """Bad input or environment (a checkpoint without config.json, a tokenizer of the wrong size, ...)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
