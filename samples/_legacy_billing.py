"""Existing code that knows nothing of SWF: the three functions ``samples.legacy`` turns into a
workflow, left exactly as they were written."""

from __future__ import annotations

CUSTOMERS = {"c-1": {"name": "Ada", "email": "ada@example.com", "plan": "pro"}}
PRICES = {"free": 0, "pro": 1200}
OUTBOX: list[str] = []


def find_customer(customer_id: str) -> dict[str, str]:
    """Look a customer up (a database query, in real life)."""
    return CUSTOMERS[customer_id]


def compute_invoice(customer: dict[str, str], months: int) -> int:
    """The amount due, in cents."""
    return PRICES[customer["plan"]] * months


def send_invoice(email: str, cents: int) -> str:
    """Send the invoice (an SMTP call, in real life); returns the message id."""
    OUTBOX.append(f"to {email}: {cents / 100:.2f} EUR due")
    return f"msg-{len(OUTBOX)}"
