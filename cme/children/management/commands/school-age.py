"""`cme school-age`: the command's name needs this hyphenated module; the code is in _school_age."""

from cme.children.management.commands._school_age import Command

__all__ = ["Command"]
