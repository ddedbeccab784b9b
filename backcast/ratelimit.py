"""Sliding-window rate limits and where their hits are kept.

One process keeps them in memory. Several processes behind one proxy would each count on their
own, so a client could multiply every limit by the number of workers: when a shared broker is
configured, the hits go where every process sees them, Redis for the redis broker and the
`rate_hit` table for the postgres broker.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
import uuid
from collections import deque
from typing import Any, Protocol

from sqlalchemy import delete, func, select, text
from sqlmodel import col

from backcast.db import Database
from backcast.models import RateHit
from backcast.settings import Settings


class HitStore(Protocol):
    """Timestamped hits per bucket. Ages are seconds ago, oldest first."""

    def take(self, bucket: str, limit: int, window: float) -> list[float]:
        """Adds a hit unless `bucket` has `limit` hits in the window; returns the ages of the hits
        that were there before (a list of `limit` or more means nothing was added)."""
        ...

    def add(self, bucket: str, window: float) -> None: ...

    def ages(self, bucket: str, window: float) -> list[float]: ...

    def release(self, bucket: str) -> None:
        """Removes the newest hit."""
        ...


class MemoryStore:
    """One process's hits."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, bucket: str, limit: int, window: float) -> list[float]:
        now = time.monotonic()
        with self._lock:
            hits = self._prune(bucket, now, window)
            before = [now - at for at in hits]
            if len(hits) < limit:
                hits.append(now)
                self._forget_quiet(now, window)
            return before

    def add(self, bucket: str, window: float) -> None:
        now = time.monotonic()
        with self._lock:
            self._prune(bucket, now, window).append(now)
            self._forget_quiet(now, window)

    def ages(self, bucket: str, window: float) -> list[float]:
        now = time.monotonic()
        with self._lock:
            return [now - at for at in self._prune(bucket, now, window)]

    def release(self, bucket: str) -> None:
        with self._lock:
            hits = self._hits.get(bucket)
            if hits:
                hits.pop()

    def _prune(self, bucket: str, now: float, window: float) -> deque[float]:
        hits = self._hits.setdefault(bucket, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        return hits

    def _forget_quiet(self, now: float, window: float) -> None:
        # Forget the quiet buckets so the table cannot grow without bound.
        if len(self._hits) > 10_000:
            for stale in [k for k, v in self._hits.items() if not v or v[-1] < now - window]:
                del self._hits[stale]


# Check and count in one step on the server, so parallel requests to several processes cannot all
# slip through. Members are unique (time and a random part), scores are the hit times.
_TAKE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local hits = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local count = #hits / 2
if limit < 0 or count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
end
return hits
"""


class RedisStore:
    """Hits in Redis sorted sets, one per bucket, expiring with their window."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.namespace = namespace
        self._take = self.client.register_script(_TAKE)

    def _key(self, bucket: str) -> str:
        return f"{self.namespace}:{bucket}"

    def _run(self, bucket: str, limit: int, window: float) -> list[float]:
        now = time.time()
        member = f"{now}:{uuid.uuid4().hex[:8]}"
        raw: list[Any] = self._take(keys=[self._key(bucket)], args=[now, window, limit, member])
        return [now - float(score) for score in raw[1::2]]

    def take(self, bucket: str, limit: int, window: float) -> list[float]:
        return self._run(bucket, limit, window)

    def add(self, bucket: str, window: float) -> None:
        self._run(bucket, -1, window)

    def ages(self, bucket: str, window: float) -> list[float]:
        now = time.time()
        key = self._key(bucket)
        with self.client.pipeline() as pipe:
            pipe.zremrangebyscore(key, "-inf", now - window)
            pipe.zrange(key, 0, -1, withscores=True)
            _, hits = pipe.execute()
        return [now - float(score) for _, score in hits]

    def release(self, bucket: str) -> None:
        self.client.zpopmax(self._key(bucket))


class DatabaseStore:
    """Hits in the `rate_hit` table of a PostgreSQL database; a transaction-scoped advisory lock
    per bucket makes check and count one step across processes."""

    # The longest window any limit uses, for sweeping buckets nobody touches again.
    SWEEP_AFTER = 24 * 3600

    def __init__(self, db: Database, namespace: str) -> None:
        self.db = db
        self.namespace = namespace

    def _bucket(self, bucket: str) -> str:
        return f"{self.namespace}:{bucket}"[:300]

    def _locked_ages(self, session: Any, bucket: str, now: float, window: float) -> list[float]:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:bucket))"), {"bucket": bucket})
        session.execute(delete(RateHit).where(col(RateHit.bucket) == bucket, col(RateHit.at) <= now - window))
        times = session.execute(
            select(col(RateHit.at)).where(col(RateHit.bucket) == bucket).order_by(col(RateHit.at))
        ).scalars()
        return [now - at for at in times]

    def take(self, bucket: str, limit: int, window: float) -> list[float]:
        bucket, now = self._bucket(bucket), time.time()
        with self.db.write() as tx:
            before = self._locked_ages(tx.session, bucket, now, window)
            if limit < 0 or len(before) < limit:
                tx.session.add(RateHit(bucket=bucket, at=now))
            if random.random() < 0.01:
                tx.session.execute(delete(RateHit).where(col(RateHit.at) < now - self.SWEEP_AFTER))
        return before

    def add(self, bucket: str, window: float) -> None:
        self.take(bucket, -1, window)

    def ages(self, bucket: str, window: float) -> list[float]:
        now = time.time()
        with self.db.read() as session:
            times = session.execute(
                select(col(RateHit.at))
                .where(col(RateHit.bucket) == self._bucket(bucket), col(RateHit.at) > now - window)
                .order_by(col(RateHit.at))
            ).scalars()
            return [now - at for at in times]

    def release(self, bucket: str) -> None:
        bucket = self._bucket(bucket)
        with self.db.write() as tx:
            newest = tx.session.execute(
                select(func.max(col(RateHit.id))).where(col(RateHit.bucket) == bucket)
            ).scalar()
            if newest is not None:
                tx.session.execute(delete(RateHit).where(col(RateHit.id) == newest))


def make_store(settings: Settings, db: Database) -> HitStore:
    """Where this installation keeps its hits: shared when its broker is shared."""
    # Installations (and test runs) that share one Redis or database keep their limits apart by a
    # name derived from their secret key, which every process of one installation has.
    namespace = "backcast:limit:" + hashlib.sha256(settings.resolved_secret_key.encode()).hexdigest()[:16]
    if settings.broker == "redis":
        return RedisStore(settings.redis_url, namespace)
    if settings.broker == "postgres" and db.dialect == "postgresql":
        return DatabaseStore(db, namespace)
    return MemoryStore()


class Limiter:
    """At most `limit` hits per `window` seconds per key (a client address, an account, a
    participant). A limit of 0 lets everything through."""

    def __init__(self, name: str, limit: int, window: float, store: HitStore | None = None) -> None:
        self.name = name
        self.limit = limit
        self.window = window
        self.store: HitStore = store if store is not None else MemoryStore()

    def _bucket(self, key: str) -> str:
        return f"{self.name}:{key}"

    def _wait(self, ages: list[float]) -> int:
        """Seconds until fewer than `limit` of these hits are inside the window."""
        if len(ages) < self.limit:
            return 0
        oldest_that_counts = ages[len(ages) - self.limit]
        return max(1, math.ceil(self.window - oldest_that_counts))

    def count(self, key: str) -> int:
        return len(self.store.ages(self._bucket(key), self.window))

    def ages(self, key: str) -> list[float]:
        return self.store.ages(self._bucket(key), self.window)

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        if self.limit <= 0:
            return 0
        return self._wait(self.store.ages(self._bucket(key), self.window))

    def hit(self, key: str) -> None:
        if self.limit > 0:
            self.store.add(self._bucket(key), self.window)

    def take_or_wait(self, key: str) -> int:
        """Counts an attempt and returns 0, or returns the seconds to wait when `key` has none
        left. Check and count are one step, so a burst of parallel requests cannot all slip through."""
        if self.limit <= 0:
            return 0
        return self._wait(self.store.take(self._bucket(key), self.limit, self.window))

    def release(self, key: str) -> None:
        """Hands back the newest attempt of `key`: it turned out not to count (a sign-in that worked)."""
        if self.limit > 0:
            self.store.release(self._bucket(key))
