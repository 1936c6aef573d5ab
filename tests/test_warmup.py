"""A process parses the diagram sets in use and compiles their forms before it serves its
first request: nothing is left for the first caller to wait on."""

from govflow.main import create_app
from govflow.tasks import forms

from tests.conftest import deploy
from tests.support.api import start, token
from tests.support.sample import linear, sample_set


async def test_start_up_parses_the_sets_in_use_and_compiles_their_forms(client, ctx):
    assert (await deploy(client, "warm", sample_set())).status_code == 201
    old_set = ctx.specs._specs.copy()
    await start(client, "warm", token("ua", "warm", ("unit",)),
                variables={"project_name": "电子证照", "total_investment": 80,
                           "plan_year": 2026, "crypto_relevant": False})
    # A new active set: the instance above still runs on the old one.
    assert (await deploy(client, "warm", {"linear.bpmn": linear(3)},
                         activate=True)).status_code == 201
    in_use = set(ctx.specs._specs) | set(old_set)
    ctx.specs._specs.clear()  # as a new process finds them
    forms._validator.cache_clear()

    app = create_app(ctx, run_worker=False)
    async with app.router.lifespan_context(app):
        assert in_use <= set(ctx.specs._specs)
        assert forms._validator.cache_info().currsize > 0
