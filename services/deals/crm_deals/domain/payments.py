"""Payment schedules: sums in Decimal, checked against the deal amount; invoices move to paid."""
from decimal import Decimal


class ScheduleMismatch(ValueError):
    def __init__(self, difference: Decimal):
        super().__init__(f"the payments differ from the deal amount by {difference}")
        self.difference = difference


def difference(deal_amount: Decimal, amounts: list[Decimal]) -> Decimal:
    """Deal amount minus the scheduled sums: positive means under-scheduled."""
    return deal_amount - sum(amounts, Decimal("0"))


def check_schedule(deal_amount: Decimal, amounts: list[Decimal], accept_difference: bool) -> Decimal:
    gap = difference(deal_amount, amounts)
    if gap and not accept_difference:
        raise ScheduleMismatch(gap)
    return gap


def after_payment(amount: Decimal, paid: Decimal, payment: Decimal) -> tuple[Decimal, str]:
    """The paid total and status after a payment; paying more than is left is refused."""
    if payment <= 0:
        raise ValueError("a payment must be positive")
    total = paid + payment
    if total > amount:
        raise ValueError(f"only {amount - paid} is left to pay")
    return total, "paid" if total == amount else "partially_paid"


def invoice_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:05d}"
