"""Cost-aware pacing: the client waits briefly when the bucket is nearly
empty, gives the job back (without sending) when the wait would be long, and
the estimate refills over time."""

import threading

import pytest
from shopify_fakes import ADMIN_TOKEN, BASE_URL, Clock, FakeSession, cost, graphql

from synco_shopify.shopify import queries
from synco_shopify.shopify.client import ShopifyClient
from synco_shopify.shopify.errors import ThrottledError
from synco_shopify.shopify.pacing import DEFAULT_MUTATION_COST, DEFAULT_QUERY_COST, CostPacer


def make_client(*script, clock, pacer=None, max_pacing_sleep=2.0):
    session = FakeSession(*script)
    client = ShopifyClient(
        BASE_URL,
        "2026-10",
        access_token=ADMIN_TOKEN,
        session=session,
        pacer=pacer,
        clock=clock,
        sleep=clock.sleep,
        max_pacing_sleep=max_pacing_sleep,
    )
    return client, session


def shop_after(requested, available, rate=100):
    return graphql({"shop": {}}, extensions_cost=cost(requested, requested, available, rate=rate))


def test_pacer_restores_the_estimate_over_time_up_to_the_maximum():
    clock = Clock()
    pacer = CostPacer(clock=clock)
    assert pacer.available() is None
    assert pacer.delay_for(500) == 0.0  # nothing known yet: do not guess

    pacer.update(cost(100, 100, available=200, maximum=1000, rate=50))
    assert pacer.available() == 200
    assert pacer.delay_for(300) == pytest.approx(2.0)

    clock.advance(3)
    assert pacer.available() == pytest.approx(350)
    assert pacer.delay_for(300) == 0.0

    clock.advance(100)
    assert pacer.available() == 1000


def test_pacer_does_not_wait_for_a_cost_the_bucket_can_never_hold():
    clock = Clock()
    pacer = CostPacer(clock=clock)
    pacer.update(cost(10, 10, available=0, maximum=1000, rate=50))

    assert pacer.delay_for(1500) == 0.0


def test_pacer_remembers_the_requested_cost_per_operation():
    pacer = CostPacer(clock=Clock())
    assert pacer.expected_cost("SyncoOrder") == DEFAULT_QUERY_COST
    assert pacer.expected_cost("SyncoFulfillmentCreate", True) == DEFAULT_MUTATION_COST

    pacer.update(cost(requested=321, actual=40), operation="SyncoOrder")

    assert pacer.expected_cost("SyncoOrder") == 321


class PausingPacer(CostPacer):
    """A pacer whose estimate pauses once, in the first spender's thread,
    after it read the points available and before it writes them back: a
    second spender that may read them meanwhile (no lock) reads the same."""

    def __init__(self, clock):
        super().__init__(clock=clock)
        self.first_paused = threading.Event()
        self.second_read = threading.Event()

    @property
    def _restore_rate(self):
        # _estimate() reads self._available, then this.
        name = threading.current_thread().name
        if name == "first" and not self.first_paused.is_set():
            self.first_paused.set()
            # The lock makes the second spender wait for us: then nothing
            # comes, and the first goes on when the wait gives up.
            self.second_read.wait(timeout=0.5)
        elif name == "second":
            self.second_read.set()
        return self._rate

    @_restore_rate.setter
    def _restore_rate(self, value):
        self._rate = value


def test_pacer_spend_debits_the_estimate_for_concurrent_callers():
    pacer = PausingPacer(clock=Clock())
    pacer.update(cost(available=100, rate=10))
    first = threading.Thread(target=pacer.spend, args=(10,), name="first")
    second = threading.Thread(target=pacer.spend, args=(30,), name="second")

    first.start()
    assert pacer.first_paused.wait(timeout=10)
    second.start()
    first.join()
    second.join()

    assert pacer.available() == pytest.approx(60), "each spend debited once"


def test_client_sleeps_when_the_bucket_is_short_by_less_than_max_pacing_sleep():
    clock = Clock()
    # First answer leaves 20 points; SHOP's next expected cost is its last
    # requested cost, 120: short by 100 points at 100/s -> 1 s.
    client, session = make_client(shop_after(120, 20), shop_after(120, 900), clock=clock)

    client.execute(queries.SHOP)
    client.execute(queries.SHOP)

    assert clock.sleeps == [pytest.approx(1.0)]
    assert len(session.calls) == 2


def test_client_raises_throttled_without_sending_when_the_wait_is_too_long():
    clock = Clock()
    client, session = make_client(shop_after(500, 0), clock=clock, max_pacing_sleep=2.0)
    client.execute(queries.SHOP)

    with pytest.raises(ThrottledError) as info:
        client.execute(queries.SHOP)

    assert info.value.retry_after == pytest.approx(5.0)  # 500 points at 100/s
    assert info.value.retryable is True
    assert len(session.calls) == 1  # the second call never went out
    assert clock.sleeps == []


def test_client_sends_again_once_the_bucket_has_refilled():
    clock = Clock()
    client, session = make_client(shop_after(500, 0), shop_after(500, 0), clock=clock)
    client.execute(queries.SHOP)

    clock.advance(5)
    client.execute(queries.SHOP)

    assert len(session.calls) == 2
    assert clock.sleeps == []


def test_a_throttled_answer_updates_the_shared_pacer_for_other_clients():
    clock = Clock()
    pacer = CostPacer(clock=clock)
    throttled_answer = graphql(
        errors=[{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        extensions_cost=cost(1000, None, available=0, rate=100),
    )
    first, _ = make_client(throttled_answer, clock=clock, pacer=pacer)
    second, second_session = make_client(clock=clock, pacer=pacer)

    with pytest.raises(ThrottledError):
        first.execute(queries.SHOP)
    with pytest.raises(ThrottledError) as info:
        second.execute(queries.SHOP)

    assert info.value.retry_after == pytest.approx(10.0)
    assert second_session.calls == []
