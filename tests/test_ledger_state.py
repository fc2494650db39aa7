"""A Hypothesis state machine over the money: purchases, retries, failures, refunds, plans,
payouts, licences and orders (every step of their states, allowed or not, by either party)
against a plain model of who holds what, with the invariants checked after every step."""

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from storage import ledger, open_db, orders, payouts, subscriptions, users
from tests.published import published_model

FEE_BPS = 1500
price_st = st.integers(min_value=0, max_value=2_000)


class Money(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.db = open_db(Path(self.tmp.name) / "m.db")
        ledger.ensure_platform_accounts(self.db)
        self.buyers, self.sellers, self.versions = [], [], {}
        for i in range(2):
            for role, bucket in (("buyer", self.buyers), ("seller", self.sellers)):
                user = users.create_user(self.db, f"{role}{i}", "password1", role)
                ledger.ensure_user_accounts(self.db, user)
                bucket.append(user["id"])
        self.models = {}
        for seller in self.sellers:
            self.models[seller], self.versions[seller] = published_model(self.db, seller, 1)
        self.wallet = {b: 0 for b in self.buyers}
        self.earnings = {s: 0 for s in self.sellers}
        self.paid_out = {s: 0 for s in self.sellers}
        self.fees = 0
        self.sales = {}  # generation id -> [buyer, seller, price, fee, refunded]
        self.keys = {}  # purchase key -> (buyer, seller, price, generation id)
        self.n = 0
        self.runs = 0
        self.escrow = 0
        self.orders = {}  # order id -> [buyer, seller, price, status, (fee, share) of its sale]
        self.licensed = set()  # (generation id, buyer)

    def teardown(self):
        self.db.close()
        self.tmp.cleanup()

    def _key(self, prefix):
        self.n += 1
        return f"{prefix}-{self.n}"

    @rule(buyer=st.integers(0, 1), cents=st.integers(1, 5_000))
    def top_up(self, buyer, cents):
        ledger.top_up(self.db, self.buyers[buyer], cents, self._key("card"))
        self.wallet[self.buyers[buyer]] += cents

    @rule(buyer=st.integers(0, 1), seller=st.integers(0, 1), price=price_st)
    def purchase(self, buyer, seller, price):
        b, s, key = self.buyers[buyer], self.sellers[seller], self._key("gen")
        if self.wallet[b] < price:
            with pytest.raises(ledger.InsufficientFunds):
                self._charge(b, s, price, key)
            return
        row = self._charge(b, s, price, key)
        fee, share = ledger.split_fee(price, FEE_BPS)
        self.wallet[b] -= price
        self.earnings[s] += share
        self.fees += fee
        self.keys[key] = (b, s, price, row["id"])
        if price:
            self.sales[row["id"]] = [b, s, price, fee, 0]

    def _charge(self, b, s, price, key, version=None):
        return ledger.charge_generation(self.db, b, s, version or self.versions[s], price, FEE_BPS, key,
                                        json.dumps({"k": key}), None, "x")

    @precondition(lambda self: self.keys)
    @rule(data=st.data(), other_price=st.booleans())
    def retry(self, data, other_price):
        key = data.draw(st.sampled_from(sorted(self.keys)))
        b, s, price, generation = self.keys[key]
        if other_price and price:
            with pytest.raises(ledger.IdempotencyConflict):
                self._charge(b, s, price + 1, key)
        else:
            row = self._charge(b, s, price, key)
            assert row["replayed"] and row["id"] == generation

    @rule(buyer=st.integers(0, 1), price=price_st)
    def failed_purchase(self, buyer, price):
        """The generation row cannot be written (a missing model version): nothing is charged."""
        b = self.buyers[buyer]
        if self.wallet[b] < price:
            return
        with pytest.raises(sqlite3.IntegrityError):
            self._charge(b, self.sellers[0], price, self._key("fail"), version=999_999)

    @precondition(lambda self: self.sales)
    @rule(data=st.data(), part=st.integers(0, 100))
    def refund(self, data, part):
        generation = data.draw(st.sampled_from(sorted(self.sales)))
        b, s, price, fee, refunded = self.sales[generation]
        left = price - refunded
        amount = None if part == 100 else max(1, left * part // 100)
        take = left if amount is None else amount
        fee_part = fee * (refunded + take) // price - fee * refunded // price
        key = self._key("refund")
        if left == 0 or take - fee_part > self.earnings[s]:
            with pytest.raises(ledger.LedgerError):
                ledger.refund_generation(self.db, generation, key, amount)
            return
        ledger.refund_generation(self.db, generation, key, amount)
        assert ledger.refund_generation(self.db, generation, key, amount)["replayed"]
        self.sales[generation][4] += take
        self.wallet[b] += take
        self.fees -= fee_part
        self.earnings[s] -= take - fee_part

    @rule(seller=st.integers(0, 1), from_earnings=st.booleans())
    def plan(self, seller, from_earnings):
        s = self.sellers[seller]
        self.runs += 1
        month = f"{2000 + self.runs // 12:04d}-{self.runs % 12 + 1:02d}"
        if from_earnings and self.earnings[s] < 2500:
            with pytest.raises(ledger.InsufficientFunds):
                subscriptions.pay_plan(self.db, s, "creation", month, 2500)
            return
        subscriptions.pay_plan(self.db, s, "creation", month, 2500, "earnings" if from_earnings else "card")
        if from_earnings:
            self.earnings[s] -= 2500

    @rule(minimum=st.integers(1, 3_000))
    def payout(self, minimum):
        self.runs += 1
        run = f"run{self.runs}"
        paid = payouts.run_payouts(self.db, run, minimum)
        expected = {s: e for s, e in self.earnings.items() if e >= minimum}
        assert {p["user_id"]: p["amount_cents"] for p in paid} == expected
        for s, amount in expected.items():
            self.earnings[s] = 0
            self.paid_out[s] += amount
        if paid:  # a run that paid nobody wrote nothing, so its name stays free
            with pytest.raises(ledger.LedgerError, match="already made"):
                payouts.run_payouts(self.db, run, minimum)

    @rule(buyer=st.integers(0, 1), seller=st.integers(0, 1), price=st.integers(1, 2_000), fund=st.booleans())
    def order(self, buyer, seller, price, fund):
        b, s, key = self.buyers[buyer], self.sellers[seller], self._key("order")
        if fund and self.wallet[b] < price:  # the buyer tops up what the order needs
            ledger.top_up(self.db, b, price - self.wallet[b], self._key("card"))
            self.wallet[b] = price
        if self.wallet[b] < price:
            with pytest.raises(ledger.InsufficientFunds):
                orders.request(self.db, "human", b, s, price, key, "t", "")
            return
        row = orders.request(self.db, "human", b, s, price, key, "t", "")
        assert orders.request(self.db, "human", b, s, price, key, "t", "")["replayed"]
        self.wallet[b] -= price
        self.escrow += price
        self.orders[row["id"]] = [b, s, price, "requested", None]

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), to=st.sampled_from(["accepted", "delivered", "completed", "cancelled", "refunded"]),
          by_seller=st.booleans())
    def order_step(self, data, to, by_seller):
        """Any step by either party, allowed or not."""
        self._step(data.draw(st.sampled_from(sorted(self.orders))), to, by_seller)

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), steps=st.integers(1, 4))
    def order_walk(self, data, steps):
        """An order followed through up to `steps` of the steps open to it, each by its party."""
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        for _ in range(steps):
            open_steps = [(to, who) for (was, to), who in orders.STEPS.items() if was == self.orders[order_id][3]]
            if not open_steps:
                return
            to, who = data.draw(st.sampled_from(open_steps))
            self._step(order_id, to, who == "seller" or (who == "either" and data.draw(st.booleans())))

    def _step(self, order_id, to, by_seller):
        b, s, price, status, _ = self.orders[order_id]
        actor = s if by_seller else b
        who = orders.STEPS.get((status, to))
        allowed = who is not None and who in ("either", "seller" if by_seller else "buyer")
        fee, share = ledger.split_fee(price, FEE_BPS)
        if allowed and status == "completed" and to == "refunded" and self.earnings[s] < share:
            allowed = False  # the creator's part was paid out
        if status == to:
            assert orders.step(self.db, order_id, actor, to, FEE_BPS)["replayed"]
            return
        if not allowed:
            with pytest.raises(orders.OrderError):
                orders.step(self.db, order_id, actor, to, FEE_BPS)
            return
        orders.step(self.db, order_id, actor, to, FEE_BPS)
        if to == "completed":
            self.escrow -= price
            self.earnings[s] += share
            self.fees += fee
        elif to == "cancelled" or (to == "refunded" and status == "delivered"):
            self.escrow -= price
            self.wallet[b] += price
        elif to == "refunded":
            self.earnings[s] -= share
            self.fees -= fee
            self.wallet[b] += price
        self.orders[order_id][3] = to

    @precondition(lambda self: self.keys)
    @rule(data=st.data(), price=st.integers(1, 2_000))
    def licence(self, data, price):
        b, s, _, generation = self.keys[data.draw(st.sampled_from(sorted(self.keys)))]
        row = self.db["generations"].get(generation)
        buy = lambda: orders.buy_licence(self.db, b, row, s, self.models[s], price, FEE_BPS, self._key("licence"), "t",
                                         lambda o: (o, "signature"))  # noqa: E731
        if (generation, b) in self.licensed:
            assert buy()["replayed"]
        elif self.wallet[b] < price:
            with pytest.raises(ledger.InsufficientFunds):
                buy()
        else:
            buy()
            fee, share = ledger.split_fee(price, FEE_BPS)
            self.wallet[b] -= price
            self.earnings[s] += share
            self.fees += fee
            self.licensed.add((generation, b))

    @invariant()
    def ledger_matches_the_model(self):
        assert ledger.check_invariants(self.db)["ok"]
        assert payouts.reconciliation(self.db)["ok"]
        assert {b: ledger.wallet_balance(self.db, b) for b in self.buyers} == self.wallet
        balances = {c["user_id"]: c for c in payouts.creator_balances(self.db)}
        assert {s: balances[s]["available_cents"] for s in self.sellers} == self.earnings
        assert {s: balances[s]["paid_out_cents"] for s in self.sellers} == self.paid_out
        assert all(v >= 0 for v in self.earnings.values())
        assert -ledger.balance(self.db, ledger.FEES) == self.fees
        assert self.db["generations"].count == len(self.keys)
        assert -ledger.balance(self.db, ledger.ESCROW) == self.escrow
        assert {o["id"]: o["status"] for o in self.db.query("SELECT id, status FROM orders WHERE kind = 'human'")} == {
            i: o[3] for i, o in self.orders.items()}


Money.TestCase.settings = settings(max_examples=30, stateful_step_count=40, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow])
test_money_state_machine = Money.TestCase


class Orders(Money):
    """The same machine with only what orders need (top-ups, purchases to license, payouts), so
    that orders go through long runs of their states."""
    retry = failed_purchase = refund = plan = None


Orders.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
test_orders_state_machine = Orders.TestCase
