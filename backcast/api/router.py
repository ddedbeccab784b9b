"""All of /api/v1."""

from fastapi import APIRouter

from backcast.api import events, items, participants, results, workshops

PROBLEM = {"application/problem+json": {}}
router = APIRouter(
    prefix="/api/v1",
    responses={
        413: {"description": "The request body is over `BACKCAST_MAX_BODY_SIZE`.", "content": PROBLEM}
    },
)
router.include_router(workshops.router)
router.include_router(participants.router)
router.include_router(items.router)
router.include_router(results.router)
router.include_router(events.router)
