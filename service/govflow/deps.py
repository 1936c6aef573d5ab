"""FastAPI dependencies: the app context, a database session, the calling principal.

Every dependency is ``async def``: FastAPI runs a plain ``def`` dependency in the thread
pool, a thread hop per dependency per request (10 % of a completion's CPU when three of
them were plain functions). Only what may block -- fetching an OpenID provider's keys --
still goes to a thread.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from .auth.principal import Principal
from .auth.tokens import authenticate
from .context import AppContext
from .errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="JWT minted by `govflow token create`, or "
                     "an access token of the configured OpenID provider")


async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_read_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    """A session for a request that only reads, one statement at a time (no ``SET LOCAL``):
    on PostgreSQL without BEGIN and ROLLBACK (store/db.py read_session_factory)."""
    async with ctx.readers() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]


async def get_principal(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an Authorization: Bearer <token> header is required",
                           code="auth.token_missing")
    if ctx.settings.oidc_issuer:  # a provider's keys may have to be downloaded first
        return await run_in_threadpool(authenticate, ctx.settings, credentials.credentials)
    return authenticate(ctx.settings, credentials.credentials)  # HS256: microseconds


CurrentUser = Annotated[Principal, Depends(get_principal)]
