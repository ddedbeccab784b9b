"""All of /api/v1."""

from fastapi import APIRouter

from backcast.api import events, items, participants, results, workshops

router = APIRouter(prefix="/api/v1")
router.include_router(workshops.router)
router.include_router(participants.router)
router.include_router(items.router)
router.include_router(results.router)
router.include_router(events.router)
