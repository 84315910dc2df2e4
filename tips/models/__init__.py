from .payday import PaydayChunk, PaydayRecord, PaydayRun
from .things import Click, Thing

__all__ = ["Click", "PaydayChunk", "PaydayRecord", "PaydayRun", "Thing"]
