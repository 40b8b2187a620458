"""The greenloop training job: dataset in, ONNX model version with alias `candidate` out."""

import os

# MLflow 3's telemetry thread changes os.environ while other threads iterate it (a KeyError in
# `requests`, seen under load); a training Job has nothing to report to it anyway. Set before
# mlflow is imported anywhere in the package.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

EXIT_OK = 0
EXIT_BAD_INPUT = 2  # bad input or configuration: not worth retrying
EXIT_RETRIABLE = 3  # a service was unreachable or failed: worth retrying


class TrainerError(Exception):
    """A failure with its exit code; the message is the one line printed."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def bad_input(message: str) -> TrainerError:
    return TrainerError(message, EXIT_BAD_INPUT)


def retriable(message: str) -> TrainerError:
    return TrainerError(message, EXIT_RETRIABLE)
