from .emails import MonthlyEmail
from .payday import PaydayChunk, PaydayRecord, PaydayRun
from .things import Click, Thing

__all__ = [
    "MonthlyEmail",
    "Click",
    "PaydayChunk",
    "PaydayRecord",
    "PaydayRun",
    "Thing",
]
