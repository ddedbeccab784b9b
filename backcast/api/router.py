"""All of /api/v1."""

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from backcast.api import events, items, owners, participants, results, studies, tables, workshops
from backcast.api.problems import problems
from backcast.http.limits import check_token_misses


async def token_misses(request: Request) -> None:
    # Only facilitator tokens are counted; the check may reach Redis or the database.
    if request.headers.get("authorization", "").lower().startswith("bearer bct_"):
        await run_in_threadpool(check_token_misses, request)


router = APIRouter(
    prefix="/api/v1",
    responses=problems(
        400,
        413,
        422,
        429,
        503,
        s429="Too many requests from this facilitator token for workshops that are not its own, "
        "or another limit named by the operation; `Retry-After` says how long to wait.",
    ),
    dependencies=[Depends(token_misses)],
)
router.include_router(workshops.router)
router.include_router(owners.router)
router.include_router(participants.router)
router.include_router(items.router)
router.include_router(results.router)
router.include_router(events.router)
router.include_router(studies.router)
router.include_router(tables.router)
