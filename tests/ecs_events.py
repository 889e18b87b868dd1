"""ECS task state changes as EventBridge delivers them, for the ETL failure rule's pattern.

moto's matcher (`moto.events.models.EventPattern`, what moto routes `PutEvents` with) does not
look inside arrays of objects, so the task's one container is given as an object, which
EventBridge matches the same way as the one-element array ECS sends. A task that failed to
start has no exit code.
"""

from __future__ import annotations

from typing import Any


def task_stopped(
    group: str,
    exit_code: int | None,
    *,
    status: str = "STOPPED",
    stop: str | None = None,
    account: str = "123456789012",
    region: str = "us-east-1",
) -> dict[str, Any]:
    """An `ECS Task State Change` of a task of `group` (`family:<family>`); `stop` defaults
    to `TaskFailedToStart` without an exit code, else `EssentialContainerExited`."""
    container = {"name": "etl"} | ({} if exit_code is None else {"exitCode": exit_code})
    default_stop = "TaskFailedToStart" if exit_code is None else "EssentialContainerExited"
    return {
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "version": "0",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": account,
        "time": "2026-12-06T03:00:00Z",
        "region": region,
        "resources": [],
        "detail": {
            "lastStatus": status,
            "group": group,
            "stopCode": stop or default_stop,
            "containers": container,
            "stoppedReason": "Essential container in task exited",
        },
    }
