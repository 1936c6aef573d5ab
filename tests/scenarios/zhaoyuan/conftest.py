"""What every 招远 walk needs: the tenant's bundled set deployed, and the clock inside the
2026 declaration window (第七条), which a test may move. Test modules ask for both with
``pytestmark = pytest.mark.usefixtures("deployed", "in_window")``."""

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import IN_WINDOW, deploy_zhaoyuan


@pytest.fixture
async def deployed(client):
    return await deploy_zhaoyuan(client)


@pytest.fixture
def in_window(ctx):
    ctx.clock.set(IN_WINDOW)
    return ctx.clock
