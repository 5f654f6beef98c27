"""The monthly cycle: the calendar of each organization's period, the steps it carries out
on time (open, reminders, close, the classification run, publication), the leaders'
digests, and the scheduler that ticks it. It writes messages to the outbox; it never
talks to a messenger."""
