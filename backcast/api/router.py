"""All of /api/v1."""

from fastapi import APIRouter

from backcast.api import events, items, owners, participants, results, workshops
from backcast.api.problems import problems

router = APIRouter(prefix="/api/v1", responses=problems(400, 413, 422))
router.include_router(workshops.router)
router.include_router(owners.router)
router.include_router(participants.router)
router.include_router(items.router)
router.include_router(results.router)
router.include_router(events.router)
