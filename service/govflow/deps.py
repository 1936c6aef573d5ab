"""FastAPI dependencies: the app context, a database session, the calling principal."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from .auth.principal import Principal
from .auth.tokens import authenticate
from .context import AppContext
from .errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="JWT minted by `govflow token create`, or "
                     "an access token of the configured OpenID provider")


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    async with ctx.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_principal(
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an Authorization: Bearer <token> header is required",
                           code="auth.token_missing")
    return authenticate(ctx.settings, credentials.credentials)


CurrentUser = Annotated[Principal, Depends(get_principal)]
