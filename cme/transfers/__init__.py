"""Transfers of pupil records between schools and authorities (Common Transfer Files)."""
