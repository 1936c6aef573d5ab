"""The context every command runs in (commands/base.py ``execute`` opens and closes it).

A ``UnitOfWork`` opens a write transaction, loads each instance it touches (from the
cache when the cached copy is at the committed version, else from its rows), runs the
engine, writes what changed -- engine rows, task rows, variables, subscriptions, history --
bumps the instance's version with ``UPDATE ... WHERE version = :seen``, and commits once.
Messages thrown by a step are correlated inside the same transaction. A message is checked
against every instance it would reach (sender rights, payload keys: instances/messages.py)
before it is delivered to any. Anything that fails rolls everything back, and the cache
never holds a workflow that was not committed. The engine's own work (scripts, conditions,
DMN) runs in a worker thread, so a slow step does not hold up the event loop, /healthz or
other tenants' requests.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from functools import partial
from typing import Any, Self, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.principal import Principal
from ..calendar.deadlines import resolve_deadline
from ..context import AppContext
from ..engine.errors import NotWaiting, StepError
from ..engine.message_catch import MessageCatchDef
from ..engine.rows import SERIALIZER_VERSION
from ..engine.runtime import EngineInstance, StepResult
from ..engine.signals import PREFIX as SIGNAL_PREFIX
from ..engine.timers import Timing
from ..errors import Conflict, EngineFailure, Invalid, NotFound
from ..external import repository as external_repo
from ..external import waiting as external_waiting
from ..feed import outbox as feed_outbox
from ..instances import repository as repo
from ..instances.cache import CachedInstance
from ..instances.labels import label_text
from ..instances.loading import Stored, instance_rows, load_stored, rebuild, rebuilt
from ..instances.messages import Delivery
from ..metrics import ENGINE_STEP
from ..store.db import WRITE_INTENT
from ..store.engine_rows import drop_rows, write_changes
from ..store.held_writes import HeldWrites, Writer
from ..store.jsontext import dumps
from ..tasks import repository as task_repo
from ..tenants import repository as tenant_repo
from ..timers import repository as timer_repo
from .plan_arrivals import carry_over_late

_log = logging.getLogger(__name__)
MAX_MESSAGE_HOPS = 10
MAX_SIGNAL_TARGETS = 1000  # catches and starts one signal may trigger

V = TypeVar("V")
Step = Callable[[EngineInstance], StepResult]
Check = Callable[[EngineInstance], object]


class UnitOfWork:
    """What a command's ``run`` works through; ``execute`` opens it, commits it and runs
    its after-commit hooks. Nothing else commits."""

    def __init__(self, ctx: AppContext, session: AsyncSession) -> None:
        self.ctx = ctx
        self.session = session
        self._touched: dict[str, CachedInstance] = {}
        self._thrown: list[tuple[str, Any, int, str]] = []  # tenant, message, hops, thrower
        self.bytes_written = 0
        self._after_commit: list[Callable[[], object]] = []
        self._events: list[dict[str, Any]] = []  # history written: the change feed's outbox
        self._undo: list[Callable[[], Awaitable[object]]] = []
        # preload(): instance rows for the next _running, stored state (at a version) for
        # the next _checkout that finds the instance at that version.
        self._preloaded: dict[str, Any] = {}
        self._stored: dict[str, tuple[int, Stored]] = {}
        # hold_writes(): the steps' writes and version bumps (instance -> version seen),
        # sent together by _write_held.
        self._held: HeldWrites | None = None
        self._held_bumps: dict[str, int] = {}

    def hold_writes(self) -> None:
        """From now until commit, hold the steps' writes and send each kind once for all
        the instances stepped (a batch of timers): the version bumps first, in one
        statement, then one executemany per statement. An instance stepped again, or read
        by a check, has its held writes sent first; everything is sent before the
        messages thrown are correlated."""
        if self._held is None:
            self._held = HeldWrites()

    @property
    def _writer(self) -> Writer:
        return self._held if self._held is not None else self.session

    def after_commit(self, hook: Callable[[], object]) -> None:
        """Run ``hook`` once the transaction committed (metrics, waking a worker); never
        after a rollback."""
        self._after_commit.append(hook)

    def on_rollback(self, undo: Callable[[], Awaitable[object]]) -> None:
        """Run ``undo`` if the transaction rolls back (a blob written for a row that is
        not committed); never once it committed."""
        self._undo.append(undo)

    async def __aenter__(self) -> Self:
        if self.ctx.engine.dialect.name == "sqlite":
            # SQLite must take its write lock at BEGIN (IMMEDIATE), or two commands that both
            # read first fail instead of queueing: end the read-only transaction of the
            # checks made before, and begin anew as a write.
            if self.session.in_transaction():
                await self.session.rollback()
            await self.session.connection(execution_options=WRITE_INTENT)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        _tb: object) -> None:
        if exc_type is not None:
            await self.session.rollback()
            undo, self._undo = self._undo, []
            for step in reversed(undo):
                try:
                    await step()
                except Exception:  # noqa: BLE001 - the command's own error is the one to raise
                    _log.exception("undoing a rolled-back command failed")
            for instance_id in self._touched:
                self.ctx.instances.discard(instance_id)
            if isinstance(exc, IntegrityError):
                # Two commands raced past the version check (only possible without row locks).
                raise Conflict("the process instance was changed concurrently",
                               code="instance.version_conflict",
                               params={"instance_id": "、".join(self._touched)}) from exc

    async def commit(self, view: Callable[[], Awaitable[V]] | None = None) -> V | None:
        """Correlate what was thrown, write the outbox, commit. ``view``: the response's
        read, run last inside the transaction (what it reads is what commits), so a
        command's answer costs no second transaction and connection checkout."""
        await self._write_held()
        self._held = None  # what is correlated now reads what it writes
        await self._drain_thrown()
        rounds = 0  # a project that reached its plan wait after the plan was issued
        while await carry_over_late(self, list(self._touched), rounds):
            await self._drain_thrown()
            rounds += 1
        if await feed_outbox.enqueue(self.session, self._events, self.ctx.clock.now()):
            self.after_commit(feed_outbox.NOTIFIER.notify)  # streams and webhooks: look now
        self._events.clear()
        shown = await view() if view is not None else None
        await self.session.commit()
        self._undo.clear()
        for instance_id, entry in self._touched.items():
            self.ctx.instances.checkin(instance_id, entry)
        self._touched.clear()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()
        return shown

    async def start(self, tenant_id: str, set_id: int, process_id: str, business_key: str | None,
                    variables: dict[str, Any], actor: str,
                    signal: tuple[str, dict[str, Any]] | None = None, hops: int = 0
                    ) -> tuple[str, StepResult]:
        """Create and run a new instance to its first wait state (``signal``: started by
        that signal, ``variables`` its payload)."""
        specs = await self.ctx.specs.get(self.session, set_id)
        try:
            engine, result = await asyncio.to_thread(EngineInstance.start, specs, process_id,
                                                     variables, self._timing(), signal)
        except StepError as exc:
            raise EngineFailure(_failure(exc), element=exc.element,
                                code="engine.step_failed") from exc
        instance_id = str(uuid.uuid4())
        now = self.ctx.clock.now()
        row = repo.instance_row(instance_id, tenant_id, set_id, process_id, business_key, actor,
                                now, SERIALIZER_VERSION)
        await repo.insert(self.session, row)
        entry = CachedInstance(0, engine, {}, {}, {})
        await self._persist(row, entry, result, actor, hops)
        return instance_id, result

    async def check(self, instance_id: str, check: Check) -> None:
        """Run a precondition on a running instance's engine without changing it (a refusal
        leaves the instance as it was, in the cache too)."""
        row = await self._running(instance_id)
        touched = row.id in self._touched
        entry = await self._checkout(row)
        try:
            check(entry.engine)
        except NotWaiting as exc:
            raise Conflict(str(exc), code="instance.not_waiting") from exc
        finally:
            # Unchanged: back where it came from, for the step that follows or, after a
            # refusal, for the next command (a cache entry is at a committed version).
            if touched:
                self._touched[row.id] = entry
            else:
                self.ctx.instances.checkin(row.id, entry)

    async def step(self, instance_id: str, run: Step, actor: str, hops: int = 0) -> StepResult:
        """Run one engine step on a running instance and write what it changed; what it
        throws is correlated at commit, ``hops`` deliveries away from a request."""
        started = time.perf_counter()
        row = await self._running(instance_id)
        entry = await self._checkout(row)
        entry.engine.timing = self._timing()
        try:
            result = await asyncio.to_thread(run, entry.engine)
        except (NotWaiting, StepError) as exc:
            raise _refusal(exc) from exc
        await self._persist(row._mapping, entry, result, actor, hops)
        ENGINE_STEP.observe(time.perf_counter() - started)
        return result

    async def step_each(self, instance_ids: Sequence[str], run: Step, actor: str,
                        working_on: Callable[[str], object]) -> None:
        """``step`` each of these running instances (a batch of timers), the engine's work
        for all of them -- rebuilding those not in memory, then the step -- in one
        worker-thread call instead of two per instance. ``working_on(id)`` is called before
        each instance is read and again before its outcome is written or its failure
        raised: a failure is that instance's."""
        planned: list[tuple[Any, CachedInstance | None, Any, Stored | None]] = []
        for instance_id in instance_ids:
            working_on(instance_id)
            row = await self._running(instance_id)
            entry = self._cached(row)
            if entry is not None:
                planned.append((row, entry, None, None))
            else:
                specs, _, stored = await self._cold_state(row)
                planned.append((row, None, specs, stored))
        timing = self._timing()

        def work() -> list[tuple[CachedInstance | None, StepResult | Exception, float]]:
            done: list[tuple[CachedInstance | None, StepResult | Exception, float]] = []
            for row, entry, specs, stored in planned:
                started = time.perf_counter()
                try:
                    if entry is None:
                        assert stored is not None
                        entry = rebuilt(specs, row, stored)
                    entry.engine.timing = timing
                    done.append((entry, run(entry.engine), time.perf_counter() - started))
                except Exception as exc:  # noqa: BLE001 - raised below, as its instance's
                    done.append((entry, exc, 0.0))
            return done

        for (row, *_), (entry, result, took) in zip(planned, await asyncio.to_thread(work),
                                                    strict=True):
            working_on(row.id)
            if isinstance(result, (NotWaiting, StepError)):
                raise _refusal(result) from result
            if isinstance(result, Exception):
                raise result
            assert entry is not None
            started = time.perf_counter()
            await self._persist(row._mapping, entry, result, actor)
            ENGINE_STEP.observe(took + time.perf_counter() - started)

    async def preload(self, instance_ids: Collection[str]) -> None:
        """Read the running instances about to be stepped (a batch of timers) in two
        queries: their rows, and the stored state of those the cache does not hold at
        their version. Each is used by the next ``step``/``check`` on it, once."""
        rows = [r for r in await instance_rows(self.session, instance_ids)
                if r.state == "running"]
        cold = [r for r in rows if r.id not in self._touched
                and not self.ctx.instances.holds(r.id, r.version)]
        stored = await load_stored(self.session, [r.id for r in cold])
        self._preloaded.update((r.id, r) for r in rows)
        self._stored.update((r.id, (r.version, stored[r.id])) for r in cold)

    def preloaded(self, row: Any) -> None:
        """An instance row read in this transaction by another query (a task joined to its
        instance): the next ``step``/``check`` on it uses it instead of reading it again."""
        self._preloaded[row.id] = row

    def waiting_for(self, instance_ids: list[str], message: str) -> list[str]:
        """Those of these instances (stepped or checked in this unit of work) that
        subscribe to ``message``, from what their message_subscriptions rows hold."""
        return [i for i in instance_ids if (entry := self._touched.get(i)) is not None
                and message in entry.subscriptions.values()]

    async def _read_row(self, instance_id: str) -> Any:
        """The instance's row as this transaction has it now (never a preloaded copy): any
        held version bump of it sent first."""
        self._preloaded.pop(instance_id, None)
        await self._write_held_of(instance_id)
        return await repo.get(self.session, instance_id)

    async def _write_held_of(self, instance_id: str) -> None:
        if instance_id in self._held_bumps:  # its row and version as written
            await self._write_held()

    async def _running(self, instance_id: str) -> Any:
        await self._write_held_of(instance_id)
        row = self._preloaded.pop(instance_id, None) or await repo.get(self.session,
                                                                       instance_id)
        if row is None:
            raise NotFound(f"process instance {instance_id} does not exist",
                           code="instance.not_found", params={"instance_id": instance_id})
        if row.state != "running":
            raise Conflict(f"process instance {row.id} is {row.state}",
                           code="instance.not_running",
                           params={"instance_id": row.id, "state": row.state})
        return row

    async def set_state(self, instance_id: str, state: str, actor: str, event: str,
                        data: dict[str, Any] | None = None, *,
                        expected: Collection[str]) -> None:
        """Suspend or resume: no engine step, but versioned and recorded. The state is
        checked here, in the transaction that writes the new one."""
        row = await self._read_row(instance_id)
        if row is None:
            raise NotFound(f"process instance {instance_id} does not exist",
                           code="instance.not_found", params={"instance_id": instance_id})
        if row.state not in expected:
            raise Conflict(f"process instance {instance_id} is {row.state}, "
                           f"not {' or '.join(expected)}", code="instance.not_running",
                           params={"instance_id": instance_id, "state": row.state})
        cleared = {"error": None} if state == "running" else {}
        if not await repo.update_versioned(self.session, row.id, row.version, state=state,
                                           updated_at=self.ctx.clock.now(), **cleared):
            raise Conflict(f"process instance {row.id} was changed concurrently",
                           code="instance.version_conflict", params={"instance_id": row.id})
        self.ctx.instances.discard(row.id)
        if state == "running" and row.state == "error":  # its failed timers start over
            await timer_repo.clear_failures(self.session, row.id)
            await external_repo.revive_failed(self.session, row.id)
        await self._append_history([self._history(row._mapping, actor, event,
                                                               data=data)])

    async def record_incident(self, instance_id: str, seen_version: int, actor: str,
                              error: str, element_id: str | None,
                              data: dict[str, Any] | None = None) -> bool:
        """Put an instance whose step failed in state ``error`` with an ``incident`` event;
        False (nothing written) when another command changed it since ``seen_version``."""
        row = await self._read_row(instance_id)
        if row is None or row.state not in ("running", "error"):
            return False
        if not await repo.update_versioned(self.session, row.id, seen_version, state="error",
                                           error=error, updated_at=self.ctx.clock.now()):
            return False
        self.ctx.instances.discard(row.id)
        await self._append_history([self._history(
            row._mapping, actor, "incident", element_id, data={"error": error, **(data or {})})])
        return True

    async def record(self, instance: Any, actor: str, event: str, *,
                     task_id: str | None = None, element_id: str | None = None,
                     element_name: str | None = None, data: dict[str, Any] | None = None
                     ) -> None:
        """A history event that changes no instance state (claim, unclaim)."""
        await self._append_history([self._history(
            {"id": instance.instance_id, "tenant_id": instance.tenant_id}, actor, event,
            element_id, element_name, task_id, data)])

    async def correlate(self, tenant_id: str, name: str, correlation: dict[str, Any],
                        payload: dict[str, Any], business_keys: list[str] | None, actor: str,
                        hops: int = 0, except_business_keys: list[str] | None = None, *,
                        principal: Principal | None = None, thrown_by: str | None = None
                        ) -> list[str]:
        """Deliver a message to every running instance of the tenant that waits for it, sent
        by ``principal`` (None: thrown by ``thrown_by``); every instance is checked first, and
        one refusal refuses the whole delivery."""
        ids = [] if name.startswith(SIGNAL_PREFIX) else await repo.find_subscribed(
            self.session, tenant_id, name, correlation, business_keys, except_business_keys)
        delivery = Delivery(name, payload, principal, thrown_by)
        for instance_id in ids:
            await self.check(instance_id, _bind(delivery.check, tenant_id, instance_id))
        for instance_id in ids:
            await self.step(instance_id, _bind(delivery.deliver, tenant_id, instance_id), actor,
                            hops + 1)
        return ids

    async def broadcast(self, tenant_id: str, name: str, payload: dict[str, Any], actor: str,
                        hops: int = 0, *, principal: Principal | None = None,
                        thrown_by: str | None = None) -> tuple[list[str], list[str]]:
        """A signal to every running instance of the tenant that waits for it (but the one
        that threw it, which caught it itself) and a new instance of every process of the
        active set that a signal start of that name begins: (instances reached, instances
        started). Everything is checked first; one refusal refuses the whole broadcast."""
        ids = [i for i in await repo.find_subscribed(self.session, tenant_id,
                                                     SIGNAL_PREFIX + name, {}, None)
               if i != thrown_by]
        starts = await self._signal_starts(tenant_id, name)
        if len(ids) + len(starts) > MAX_SIGNAL_TARGETS:
            raise Invalid(f"signal '{name}' would reach {len(ids) + len(starts)} catches and "
                          f"starts, more than {MAX_SIGNAL_TARGETS}: nothing was delivered",
                          code="signal.too_many_targets",
                          params={"signal": name, "count": len(ids) + len(starts),
                                  "limit": MAX_SIGNAL_TARGETS})
        delivery = Delivery(name, payload, principal, thrown_by, kind="signal")
        for instance_id in ids:
            await self.check(instance_id, _bind(delivery.check, tenant_id, instance_id))
        senders = [delivery.check_catches(tenant_id, f"process:{pid}", [catch])
                   for _, pid, catch in starts]
        for instance_id in ids:
            await self.step(instance_id, _bind(delivery.deliver, tenant_id, instance_id), actor,
                            hops + 1)
        started = []
        for (set_id, pid, _), sender in zip(starts, senders, strict=True):
            new_id, _ = await self.start(tenant_id, set_id, pid, None, payload, actor,
                                         signal=(name, sender), hops=hops + 1)
            started.append(new_id)
        return ids, started

    async def _signal_starts(self, tenant_id: str, name: str
                             ) -> list[tuple[int, str, MessageCatchDef]]:
        tenant = await tenant_repo.get(self.session, tenant_id)
        if tenant is None or tenant.active_set_id is None:
            return []
        specs = await self.ctx.specs.get(self.session, tenant.active_set_id)
        return [(tenant.active_set_id, pid, catch) for pid, info in sorted(specs.processes.items())
                for catch in info.signal_starts if name in catch.messages]

    async def send(self, row: Any, delivery: Delivery, actor: str) -> StepResult:
        """Deliver a message to one instance: checked, then delivered."""
        await self.check(row.id, _bind(delivery.check, row.tenant_id, row.id))
        return await self.step(row.id, _bind(delivery.deliver, row.tenant_id, row.id), actor)

    async def _checkout(self, row: Any) -> CachedInstance:
        entry = self._cached(row)
        if entry is not None:
            return entry
        return await rebuild(*await self._cold_state(row))

    def _cached(self, row: Any) -> CachedInstance | None:
        """The instance in memory at the row's version: touched by this command, or in the
        cache."""
        entry = self._touched.pop(row.id, None) or self.ctx.instances.checkout(row.id, row.version)
        return entry if entry is not None and entry.version == row.version else None

    async def _cold_state(self, row: Any) -> tuple[Any, Any, Stored]:
        """What rebuilding an instance not in memory takes: its specs, row, stored state."""
        specs = await self.ctx.specs.get(self.session, row.diagram_set_id)
        version, stored = self._stored.pop(row.id, (None, None))
        if stored is None or version != row.version:
            stored = (await load_stored(self.session, [row.id]))[row.id]
        return specs, row, stored

    async def _persist(self, row: Any, entry: CachedInstance, result: StepResult,
                       actor: str, hops: int = 0) -> None:
        s, now, instance_id = self.session, self.ctx.clock.now(), row["id"]
        # The version check goes first: it takes the instance's row lock, so a concurrent
        # command waits here and then finds the version moved, before writing anything.
        values: dict[str, Any] = {"updated_at": now}
        if result.completed:
            terminated = any(e.event == "instance_terminated" for e in result.events)
            values.update(state="terminated" if terminated else "completed", ended_at=now,
                          outcome="terminated" if terminated else result.outcome)
        label = await self._label(row, entry.variables, result.variables)
        if label is not None:
            values["label"] = label[0]
        if self._held is not None and set(values) == {"updated_at"}:
            self._held_bumps[instance_id] = entry.version  # checked when written
        elif not await repo.update_versioned(s, instance_id, entry.version, **values):
            raise Conflict(f"process instance {instance_id} was changed concurrently",
                           code="instance.version_conflict",
                           params={"instance_id": instance_id})
        w = self._writer
        if result.completed:  # completed or terminated: never loaded again
            await drop_rows(w, instance_id)
        else:
            await write_changes(w, instance_id, result.changes)
        changed = await repo.write_variables(w, instance_id, entry.variables, result.variables)
        entry.variables = dict(result.variables)
        await repo.write_subscriptions(w, instance_id, row["tenant_id"], entry.subscriptions,
                                       result.waiting_messages)
        entry.subscriptions = dict(result.waiting_messages)
        await timer_repo.write(w, instance_id, row["tenant_id"], entry.timers, result.timers,
                               result.timer_elements)
        entry.timers = dict(result.timers)
        await external_repo.write(w, row, result.external_created, result.external_finished,
                                  now)
        if result.external_created:  # long-polling fetches of the tenant look again
            self.after_commit(partial(external_waiting.wake, row["tenant_id"]))
        await self._write_tasks(row, result, actor, now)
        history = [self._history(row, actor, e.event, e.element_id, e.element_name, e.task_id,
                                 e.data, now) for e in result.events]
        if history and changed:
            history[0]["data"] = {**(history[0]["data"] or {}), "changed": changed}
        self.bytes_written += result.changes.bytes_written + len(dumps(changed))
        self.bytes_written += await self._append_history(history)
        entry.version += 1
        self._touched[instance_id] = entry
        self._thrown.extend((row["tenant_id"], m, hops, instance_id) for m in result.thrown)

    async def _append_history(self, rows: list[dict[str, Any]]) -> int:
        self._events.extend(rows)
        return await repo.append_history(self._writer, rows)

    async def _write_held(self) -> None:
        """Send what ``hold_writes`` kept: the version bumps first (they take the instances'
        row locks, as a single step's bump does, before anything else is written), then
        the rest."""
        bumps, self._held_bumps = self._held_bumps, {}
        if bumps:
            lost = await repo.bump_versions(self.session, bumps, self.ctx.clock.now())
            if lost:
                raise Conflict(f"process instance {lost[0]} was changed concurrently",
                               code="instance.version_conflict",
                               params={"instance_id": "、".join(lost)})
        if self._held:
            await self._held.flush(self.session)

    async def _label(self, row: Any, before: dict[str, Any], after: dict[str, Any]
                     ) -> tuple[str | None] | None:
        """The instance's new label, when the variable its process labels it by changed."""
        specs = await self.ctx.specs.get(self.session, row["diagram_set_id"])
        info = specs.processes.get(row["process_id"])
        name = info.label_variable if info is not None else None
        if name is None or before.get(name, _ABSENT) == after.get(name, _ABSENT):
            return None
        return (label_text(after.get(name)),)

    async def _write_tasks(self, row: Any, result: StepResult, actor: str, now: Any) -> None:
        submitted = {e.task_id: e.data for e in result.events if e.event == "task_completed"}
        await task_repo.finish_tasks(self._writer, [
            {"b_id": tid, "b_state": state, "b_at": now,
             "b_by": actor if state == "completed" else None,
             "b_data": _dumps(submitted.get(tid)) if state == "completed" else None}
            for tid, state in result.finished.items()])
        await task_repo.insert_tasks(self._writer, [
            task_repo.task_row(t, row, now, *self._due(t, now, result.variables))
            for t in result.created])

    def _due(self, task: Any, now: Any, variables: dict[str, Any]) -> tuple[Any, bool]:
        if not task.definition.due:
            return None, False
        try:
            return self._resolve(task.definition.due, now, variables)
        except ValueError as exc:  # counted from a variable this instance does not have
            raise EngineFailure(f"element '{task.definition.key}': {exc}", code="engine.step_failed",
                                element=task.definition.key) from exc

    def _resolve(self, spec: str, start: Any, variables: dict[str, Any]) -> tuple[Any, bool]:
        return resolve_deadline(spec, start, variables, self.ctx.calendar)

    def _timing(self) -> Timing:
        return Timing(self.ctx.clock.now(), self._resolve)

    def _history(self, row: Any, actor: str, event: str, element_id: str | None = None,
                 element_name: str | None = None, task_id: str | None = None,
                 data: dict[str, Any] | None = None, at: Any = None) -> dict[str, Any]:
        return repo.history_row(row["id"], row["tenant_id"], at or self.ctx.clock.now(), actor,
                                event, element_id, element_name, task_id, data)

    async def _drain_thrown(self) -> None:
        while self._thrown:
            tenant_id, message, hops, thrower = self._thrown.pop(0)
            if hops >= MAX_MESSAGE_HOPS:
                raise EngineFailure(f"{message.kind} '{message.name}' bounced more than "
                                    f"{MAX_MESSAGE_HOPS} times between instances",
                                    code="message.bounce_limit",
                                    params={"message": message.name})
            if message.kind == "signal":
                await self.broadcast(tenant_id, message.name, {}, "engine", hops,
                                     thrown_by=thrower)
                continue
            body = message.payload if isinstance(message.payload, dict) else {}
            await self.correlate(tenant_id, message.name, body.get("correlation") or {},
                                 body.get("payload") or {}, body.get("business_keys"),
                                 "engine", hops, body.get("except_business_keys"),
                                 thrown_by=thrower)


_ABSENT = object()


def _bind(method: Callable[[str, str, EngineInstance], Any], tenant_id: str,
          instance_id: str) -> Callable[[EngineInstance], Any]:
    return lambda engine: method(tenant_id, instance_id, engine)


def _refusal(exc: NotWaiting | StepError) -> Conflict | EngineFailure:
    """What a step's engine error is to the caller: not waiting for it, or a failure."""
    if isinstance(exc, NotWaiting):
        return Conflict(str(exc), code="instance.not_waiting")
    return EngineFailure(_failure(exc), element=exc.element, code="engine.step_failed")


def _failure(exc: StepError) -> str:
    return f"element '{exc.element}': {exc}" if exc.element else str(exc)


def _dumps(value: Any) -> str | None:
    return None if value is None else dumps(value)

