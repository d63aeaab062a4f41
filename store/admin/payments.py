"""Store admin for order money: the order page's "Mark paid offline" and "Refund" actions (forms + services).
The payment records themselves are the platform's (makrx admin: payments, refunds, webhook deliveries)."""
