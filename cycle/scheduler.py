"""The monthly cycle on a schedule: APScheduler runs the cycle's tick every minute (the
outbox sender, started beside it, delivers what it writes).

The tick itself decides what is due from the calendar and its ledger (cycle/steps.py), so
missed runs (the bot was down, the machine slept) need no special care: the next tick
catches up, and a tick that runs twice does nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from cycle import steps

log = logging.getLogger(__name__)
TICK_SECONDS = 60


async def tick_now(engine: Engine) -> None:
    try:
        done = await asyncio.to_thread(steps.tick, engine, datetime.now(UTC))
    except asyncio.CancelledError:  # the bot stops: the tick's thread ends its transaction
        log.info("stopping during a tick; its steps are committed or rolled back whole")
        return
    for step in done:
        log.info("cycle step done: %s", step)


def start_scheduler(engine: Engine) -> AsyncIOScheduler:
    """Every minute, and once at start; never two ticks at once."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        tick_now,
        "interval",
        seconds=TICK_SECONDS,
        args=[engine],
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        id="cycle-tick",
    )
    scheduler.start()
    return scheduler
