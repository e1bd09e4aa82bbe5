"""The management-command base classes of the seed API: ABCBaseCommand, ImportDataBaseCommand."""

from winiadmin.commands.base import ABCBaseCommand
from winiadmin.commands.import_data import ImportDataBaseCommand

__all__ = ["ABCBaseCommand", "ImportDataBaseCommand"]
