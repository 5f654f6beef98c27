"""Delivery to messengers: what an adapter declares (`messenger`), the one renderer of
replies for those capabilities (`render`), and the outbox sender (`sender`) that sends
each row through its messenger at that messenger's pace."""
